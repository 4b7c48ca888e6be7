import { checkApiOrigin, checkImportPolling, checkRequestTimeout } from './client/client-state'
import type { ClientState, ImportPolling } from './client/client-state'
import { LimitRegistry } from './client/adaptive-limit'
import { MAX_CACHED_TOKENS } from './client/oauth-tokens'
import { CONTACT_CACHE_MAX_ENTRIES, CONTACT_CACHE_TTL_MS } from './contacts/contact-cache'
import type { ContactsState } from './contacts/contacts-state'
import { CRITERIA_MAX_ENTRIES, CRITERIA_TTL_MS } from './contacts/deduplication'
import { systemClock } from './memory/clock'
import type { Clock } from './memory/clock'
import { KeyedWork } from './memory/keyed-work'
import { TimedCache } from './memory/timed-cache'

/**
 * What the local server, scripts and tests may set on a destination instance (never Segment users: nothing in
 * settings, mappings or events reaches these). Segment's runtime uses the defaults.
 */
export interface QualtricsOptions {
  /** An http(s) loopback origin that every Qualtrics request goes to instead (the sandbox, for local runs). */
  apiOrigin?: string
  /** How long each Qualtrics request may take (default 15 s); the fault runs shorten it. */
  requestTimeoutMs?: number
  /** A bulk import's wait and polls (default: 60 s in all, pauses from 0.5 s doubling to 8 s). */
  importPolling?: Partial<ImportPolling>
  /** The time every cache, pause and deadline is measured by (tests give one whose sleep passes no real time). */
  clock?: Clock
}

/**
 * Everything of a destination instance that outlives one call, and nothing else does: its options, checked, and every
 * cache, lock and limit, each kept in the one cache type (TimedCache) or as work under way (KeyedWork). Two instances
 * share none of it.
 */
export interface QualtricsState extends ClientState, ContactsState {
  /** The adaptive in-flight limit of each account's workflow runs (adaptive-limit.ts). */
  readonly workflowLimits: LimitRegistry
}

const HOUR_MS = 60 * 60 * 1000
const SCOPE_REFUSAL_TTL_MS = 10 * 60 * 1000

/** A destination instance's state; bad options (an origin that is not loopback, say) throw before anything runs. */
export function createState(options: QualtricsOptions = {}): QualtricsState {
  const clock = options.clock ?? systemClock
  return {
    apiOrigin: checkApiOrigin(options.apiOrigin),
    requestTimeoutMs: checkRequestTimeout(options.requestTimeoutMs),
    importPolling: checkImportPolling(options.importPolling),
    clock,
    // Each token is kept for its own lifetime (oauth-tokens.ts); the hour is only a default.
    accessTokens: new TimedCache({ maxEntries: MAX_CACHED_TOKENS, ttlMs: HOUR_MS, clock }),
    tokenFetches: new KeyedWork(),
    // A client's scopes change when its owner edits it: a refused set is asked for again after a while.
    scopeRefusals: new TimedCache({ maxEntries: MAX_CACHED_TOKENS, ttlMs: SCOPE_REFUSAL_TTL_MS, clock }),
    contacts: new TimedCache({ maxEntries: CONTACT_CACHE_MAX_ENTRIES, ttlMs: CONTACT_CACHE_TTL_MS, clock }),
    deduplication: new TimedCache({ maxEntries: CRITERIA_MAX_ENTRIES, ttlMs: CRITERIA_TTL_MS, clock }),
    identifierLocks: new KeyedWork(),
    workflowLimits: new LimitRegistry({ clock })
  }
}
