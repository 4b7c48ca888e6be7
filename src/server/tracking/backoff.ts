/** How long to wait before retrying an event: exponential, capped, with jitter so retries do not bunch up. */
export interface BackoffPolicy {
  /** Delay before the first retry, before jitter (default 1 s). */
  baseMs: number
  /** No single delay exceeds this (default 5 min). */
  capMs: number
  /** Attempts in all, the first delivery included, before an event counts as failed for good (default 10). */
  maxAttempts: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60 * 1000, maxAttempts: 10 }

/**
 * The wait after the `failedAttempts`-th failure (1 for the first): base · 2^(n-1), capped, then "equal jitter"
 * (half fixed, half random) so the wait never collapses to zero yet many failing events spread out.
 * `random` returns a number in [0, 1), injected so tests can pin the schedule.
 */
export function retryDelayMs(
  failedAttempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random
): number {
  const exponent = Math.max(0, failedAttempts - 1)
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 30))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
