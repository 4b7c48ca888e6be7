import { IntegrationError } from '@segment/actions-core'
import type { Clock } from '../memory/clock'
import type { KeyedWork } from '../memory/keyed-work'
import type { TimedCache } from '../memory/timed-cache'

/**
 * What the client reads from its destination instance's state (state.ts): the options a local run or a test gives
 * the instance, and what the client keeps between calls. Nothing a Segment user can reach (settings, mappings, event
 * data) sets any of it.
 */
export interface ClientState {
  /** Every Qualtrics request goes to this loopback origin instead of `{datacenter}.qualtrics.com` (local runs). */
  readonly apiOrigin?: string
  /** Every request Qualtrics is sent gives up after this long and is reported retryable. */
  readonly requestTimeoutMs: number
  /** How long a batch waits for its imports, and the pauses between status polls (import-wait.ts). */
  readonly importPolling: Readonly<ImportPolling>
  readonly clock: Clock
  /** OAuth access tokens by client and scopes (oauth-tokens.ts), each kept for its own lifetime. */
  readonly accessTokens: TimedCache<string>
  /** Token requests under way: every caller for the same OAuth client shares one. */
  readonly tokenFetches: KeyedWork
  /** Per OAuth client, the scopes asked for since Qualtrics refused the full set (oauth-scopes.ts). */
  readonly scopeRefusals: TimedCache<string[]>
}

export const REQUEST_TIMEOUT_MS = 15_000

export interface ImportPolling {
  deadlineMs: number
  firstPollMs: number
  maxPollMs: number
}
export const IMPORT_POLLING: Readonly<ImportPolling> = Object.freeze({
  deadlineMs: 60_000,
  firstPollMs: 500,
  maxPollMs: 8_000
})

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** This machine, as a URL's `hostname` names it: the one place plain http (and a local API origin) may go. */
export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname)

const invalid = (message: string) => new IntegrationError(message, 'LOCAL_OPTION_INVALID', 400)

/**
 * A local API origin as the client uses it (scheme, host and port only), or undefined when none is given. Loopback
 * addresses only, so that the token still goes nowhere but Qualtrics or this machine.
 */
export function checkApiOrigin(origin: string | undefined): string | undefined {
  if (origin === undefined || origin === '') return undefined
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw invalid(`The Qualtrics API origin "${origin}" is not a URL`)
  }
  if (!['http:', 'https:'].includes(url.protocol) || !isLoopbackHostname(url.hostname)) {
    throw invalid(`The Qualtrics API origin must be an http(s) loopback address, not "${origin}"`)
  }
  return url.origin
}

/** The request timeout, REQUEST_TIMEOUT_MS unless a positive integer number of milliseconds is given. */
export function checkRequestTimeout(ms: number | undefined): number {
  if (ms !== undefined && !(Number.isInteger(ms) && ms > 0)) {
    throw invalid(`Request timeout must be a positive integer, not ${ms}`)
  }
  return ms ?? REQUEST_TIMEOUT_MS
}

/** IMPORT_POLLING with the given times over it, each a positive number of milliseconds. */
export function checkImportPolling(polling: Partial<ImportPolling> | undefined): Readonly<ImportPolling> {
  const times = { ...IMPORT_POLLING, ...polling }
  if (Object.values(times).some((ms) => !(Number.isFinite(ms) && ms > 0))) {
    throw invalid(`Import polling times must be positive numbers of milliseconds: ${JSON.stringify(polling)}`)
  }
  return Object.freeze(times)
}
