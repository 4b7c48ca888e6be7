import type { Clock } from '../memory/clock'

/** The pause before retry `attempt` (0-based) after a 429: Retry-After when Qualtrics gives one, else doubling. */
export function backoffDelayMs(attempt: number, retryAfter: string | null, now: number): number {
  const given = parseRetryAfterMs(retryAfter, now)
  if (given !== undefined) return Math.min(given, MAX_BACKOFF_MS)
  return Math.min(BACKOFF_BASE_MS * 2 ** attempt, MAX_BACKOFF_MS)
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const BACKOFF_BASE_MS = 250
const MAX_BACKOFF_MS = 4000

/**
 * Runs `work` and settles with it, or rejects with `onTimeout()` once `ms` have passed on `clock`, whichever comes
 * first.
 *
 * Why the client needs this rather than actions-core's options: its `timeout` stops only the wait for headers (its
 * timer is cleared once they arrive, and reading the body has none), and a `signal` cannot be given to it: inside an
 * action it merges a caller's signal into a plain object and then throws a TypeError, and aborting while it reads a
 * cloned body emits an error nobody listens to, which ends the process. The race settles the call, and with it
 * everything waiting on it (a shared contact lookup, say); a stalled body's socket is left to the server or the OS.
 */
export async function withinDeadline<T>(
  work: () => Promise<T>,
  ms: number,
  onTimeout: () => Error,
  clock: Clock
): Promise<T> {
  const done = new AbortController()
  const deadline = clock.after(ms, done.signal).then(() => {
    throw onTimeout()
  })
  try {
    // `work()` inside the try: a synchronous throw (a header Node refuses, say) is this call's rejection too.
    return await Promise.race([work(), deadline])
  } finally {
    done.abort()
  }
}
