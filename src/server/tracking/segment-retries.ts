/**
 * The one model of Segment's retrying of retryable failures (429, 5xx, timeouts): wait, then try again, the wait
 * starting at `firstDelayMs` and doubling up to `maxDelayMs`, until the attempts or the time allowed run out. The
 * tracking API's delivery worker retries its queued events with it; the fault run and the bench replay Segment's
 * retries of the destination with it (scripts/faults, scripts/bench).
 *
 * The numbers: this repository's docs quote no figures Segment publishes for its own retries, so the tracking API
 * keeps its policy (TRACKING_API_RETRIES), and the fault run's longer window is a policy of its own, named for what
 * it models (SEGMENT_DESTINATION_RETRIES).
 */
export interface RetryPolicy {
  /** The wait before the first retry (before jitter). */
  firstDelayMs: number
  /** No single wait is longer than this. */
  maxDelayMs: number
  /** Attempts in all, the first delivery included, after which a failure is final. */
  maxAttempts?: number
  /** No retry starts later than this after the first attempt. */
  windowMs?: number
}

/** The tracking API's queue: 1 s doubling up to 5 min, 10 attempts in all (about 8.5 minutes of retrying). */
export const TRACKING_API_RETRIES: RetryPolicy = { firstDelayMs: 1000, maxDelayMs: 5 * 60_000, maxAttempts: 10 }

/**
 * Segment's retries of a destination's retryable failures as the fault run replays them on the sandbox's clock:
 * 1 s doubling up to 10 min, for 4 hours (33 attempts in all).
 */
export const SEGMENT_DESTINATION_RETRIES: RetryPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  windowMs: 4 * 3_600_000
}

/** The wait before retry `n` (1 for the first), before jitter: firstDelayMs · 2^(n-1), capped at maxDelayMs. */
function ceilingMs(n: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(Math.max(0, n - 1), 30))
}

/** When each attempt the policy allows starts, in ms after the first (which starts at 0), before jitter. */
export function attemptTimes(policy: RetryPolicy): number[] {
  const { firstDelayMs, maxDelayMs, maxAttempts, windowMs } = policy
  if (!(firstDelayMs > 0) || !(maxDelayMs >= firstDelayMs) || (maxAttempts === undefined && windowMs === undefined)) {
    throw new Error('A retry policy needs firstDelayMs > 0, maxDelayMs ≥ firstDelayMs, and maxAttempts or windowMs')
  }
  const times = [0]
  while (times.length < (maxAttempts ?? Infinity)) {
    const next = times[times.length - 1] + ceilingMs(times.length, policy)
    if (windowMs !== undefined && next > windowMs) break
    times.push(next)
  }
  return times
}

/**
 * The wait after the `failedAttempts`-th failure (1 for the first): the policy's wait, then "equal jitter" (half
 * fixed, half random) so the wait never collapses to zero yet many failing events spread out. `random` returns a
 * number in [0, 1), injected so tests can pin the schedule.
 */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = ceilingMs(failedAttempts, policy)
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

export function describePolicy(policy: RetryPolicy): string {
  const time = (ms: number) =>
    ms >= 3_600_000 ? `${ms / 3_600_000} h` : ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`
  const limit = policy.windowMs !== undefined ? `, for ${time(policy.windowMs)}` : ''
  return (
    `back-off from ${time(policy.firstDelayMs)} doubling up to ${time(policy.maxDelayMs)}${limit} ` +
    `(${attemptTimes(policy).length} attempts at most)`
  )
}
