import { BEARER_REFUSALS } from './authentication'
import type { BearerRefusal } from './authentication'
import type { AuthKind } from './call'
import type { Endpoint } from './endpoints'
import { FAULTS } from './faults'
import type { Fault } from './faults'
import { OAUTH_ERRORS } from './oauth'
import type { OAuthErrorCode } from './oauth'

export interface SandboxStats {
  /** API, token and workflow requests received, including those answered with a fault or a 429. */
  requests: number
  byEndpoint: Partial<Record<Endpoint, Record<string, number>>>
  rateLimited: number
  faults: Record<Fault, number>
  /** Calls that authenticated, by how: X-API-TOKEN, Basic (JSON Events) or Bearer (OAuth). */
  callsByAuth: Record<AuthKind, number>
  oauth: {
    /** Tokens issued by `POST /oauth2/token`. */
    tokensIssued: number
    /** Token requests refused, by OAuth error code. */
    tokensRefused: Record<OAuthErrorCode, number>
    /** Calls refused for their Bearer token: unknown, expired, lacking the route's scope, or sent to a JSON Event. */
    bearerRefused: Record<BearerRefusal, number>
  }
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>

export function emptyStats(): SandboxStats {
  return {
    requests: 0,
    byEndpoint: {},
    rateLimited: 0,
    faults: zeros(FAULTS),
    callsByAuth: zeros(['X-API-TOKEN', 'Basic', 'Bearer']),
    oauth: { tokensIssued: 0, tokensRefused: zeros(OAUTH_ERRORS), bearerRefused: zeros(BEARER_REFUSALS) }
  }
}
