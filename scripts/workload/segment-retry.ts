/**
 * Segment's retrying of a destination's retryable failures, as the fault run emulates it: exponential back-off
 * from about a second, each wait capped, for a window of hours. The run plays it on the sandbox's clock, so hours of
 * back-off pass without real waiting.
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
