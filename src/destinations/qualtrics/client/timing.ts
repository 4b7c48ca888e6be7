/** The pause before retry `attempt` (0-based) after a 429: Retry-After when Qualtrics gives one, else doubling. */
export function backoffDelayMs(attempt: number, retryAfter: string | null): number {
  const seconds = Number(retryAfter)
  if (retryAfter && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_BACKOFF_MS)
  return Math.min(BACKOFF_BASE_MS * 2 ** attempt, MAX_BACKOFF_MS)
}

const BACKOFF_BASE_MS = 250
const MAX_BACKOFF_MS = 4000

/**
 * Runs `work` and settles with it, or rejects with `onTimeout()` once `ms` have passed, whichever comes first.
 *
 * Why the client needs this rather than actions-core's options: its `timeout` stops only the wait for headers (its
 * timer is cleared once they arrive, and reading the body has none), and a `signal` cannot be given to it: inside an
 * action it merges a caller's signal into a plain object and then throws a TypeError, and aborting while it reads a
 * cloned body emits an error nobody listens to, which ends the process. The race settles the call, and with it
 * everything waiting on it (a shared contact lookup, say); a stalled body's socket is left to the server or the OS.
 */
export async function withinDeadline<T>(work: () => Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  try {
    // `work()` inside the try: a synchronous throw (a header Node refuses, say) is this call's rejection too.
    return await Promise.race([work(), deadline])
  } finally {
    clearTimeout(timer)
  }
}
