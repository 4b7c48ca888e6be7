import type { OAuthScope } from './oauth'
import type { Readings } from './readings'
import type { SandboxStore, StoredUser } from './store'

/**
 * The shape of one endpoint and of one call to it: what the endpoint table (./endpoints.ts) lists and what its
 * handlers receive. Types only, so that the table, the handlers and the request pipeline can all read them without
 * reading each other.
 */

/** How a call authenticated: an API token header, Basic (JSON Events only) or an OAuth Bearer token. */
export type AuthKind = 'X-API-TOKEN' | 'Basic' | 'Bearer'

export interface Caller {
  user: StoredUser
  auth: AuthKind
}

/** A status and a Qualtrics-shaped body (without `meta`, which the pipeline adds). */
export type Answer = [status: number, body: Record<string, unknown>]

/** One authenticated call, as a handler sees it. */
export interface Call {
  store: SandboxStore
  /** The path's `{name}` segments, decoded. */
  params: Record<string, string>
  url: URL
  /** The JSON body, parsed (undefined when there was none). */
  body: unknown
  caller: Caller
  /** The sandbox's origin as the caller addressed it (a tracking URL is built on it). */
  origin: string
  /** The origin `nextPage` URLs are built on. */
  nextPageOrigin: string
  /** Page size for listings when the caller gives none. */
  pageSize: number
  /** How this sandbox reads Qualtrics where the evidence allows more than one reading. */
  readings: Readings
}

/** `POST /oauth2/token`: no API authentication, a form body, an answer in OAuth's shape. */
export interface TokenCall {
  store: SandboxStore
  authorization: string | undefined
  body: Buffer
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

interface Row {
  /** The sandbox's own name for the endpoint: rate limits, fault rules and statistics are keyed by it. */
  name: string
  method: Method
  /** From the origin's root; `{name}` segments are parameters. Literal segments match without regard to case. */
  path: string
  /** Qualtrics' per-endpoint limit, on top of the brand's 3,000 a minute. */
  perMinute?: number
}

/** An API route (X-API-TOKEN or OAuth Bearer), or a JSON Event trigger (X-API-TOKEN or Basic; OAuth refused). */
export interface ApiRow extends Row {
  access?: 'api' | 'jsonEvent'
  /** The scope an OAuth Bearer token needs here; none when unset. */
  scope?: OAuthScope
  /** The scope needed in the `fourScopeClients` reading where the other asks none (whoami: `read:users`). */
  fourScopeClientsScope?: OAuthScope
  handle(call: Call): Answer
}

/** The OAuth token endpoint: answered before any API authentication, never rate limited. */
export interface TokenRow extends Row {
  access: 'tokenGrant'
  handle(call: TokenCall): Answer
}

export type EndpointRow = ApiRow | TokenRow
