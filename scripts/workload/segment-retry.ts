/**
 * Segment's retrying of a destination's retryable failures, the one model the bench and the fault run share:
 * exponential back-off from about a second, each wait capped, for a window. The fault run plays the full window
 * on the sandbox's clock, so hours of back-off pass without real waiting; the bench waits in real time, so it plays
 * a few seconds of it.
 */
export interface RetryPolicy {
  /** The wait before the first retry. */
  firstDelayMs: number
  /** No wait is longer than this. */
  maxDelayMs: number
  /** No retry starts later than this after the first attempt. */
  windowMs: number
}

/** Back-off from 1 s, doubling, capped at 10 minutes, for 4 hours: 33 attempts in all. */
export const SEGMENT_RETRY_POLICY: RetryPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  windowMs: 4 * 3_600_000
}

/**
 * The bench's retries: it waits in real time and measures throughput, so every retryable failure gets the same few
 * chances a second apart (5 attempts in 4 s) instead of hours of back-off.
 */
export const BENCH_RETRY_POLICY: RetryPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 1000,
  windowMs: 4000
}

/** When each attempt the policy allows starts, in ms after the first (which starts at 0). */
export function attemptTimes(policy: RetryPolicy): number[] {
  if (!(policy.firstDelayMs > 0) || !(policy.maxDelayMs >= policy.firstDelayMs) || !(policy.windowMs >= 0)) {
    throw new Error('A retry policy needs firstDelayMs > 0, maxDelayMs ≥ firstDelayMs and windowMs ≥ 0')
  }
  const times = [0]
  let delay = policy.firstDelayMs
  while (times[times.length - 1] + delay <= policy.windowMs) {
    times.push(times[times.length - 1] + delay)
    delay = Math.min(delay * 2, policy.maxDelayMs)
  }
  return times
}

export function describePolicy(policy: RetryPolicy): string {
  const minutes = (ms: number) => (ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`)
  return (
    `back-off from ${minutes(policy.firstDelayMs)} doubling up to ${minutes(policy.maxDelayMs)}, for ` +
    `${policy.windowMs / 3_600_000} h (${attemptTimes(policy).length} attempts at most)`
  )
}
