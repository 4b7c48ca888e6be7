import { ENDPOINT_ROWS } from './endpoints'
import type { Endpoint } from './endpoints'

/**
 * Qualtrics' documented limits: 3,000 requests a minute per brand, and per endpoint what the endpoint table gives
 * (500 on the contact and transaction writes, 100 imports, 20 erasure requests).
 */
export const BRAND_LIMIT_PER_MINUTE = 3000
export const ENDPOINT_LIMITS_PER_MINUTE: Partial<Record<Endpoint, number>> = Object.fromEntries(
  ENDPOINT_ROWS.flatMap((row) => (row.perMinute ? [[row.name, row.perMinute]] : []))
)

interface Bucket {
  tokens: number
  updatedAt: number
}

/**
 * Token buckets per brand and per brand × endpoint. A bucket holds a minute's allowance and refills continuously
 * (Qualtrics describes a leaky bucket). `timeScale` shortens the minute: at 60 a "minute" lasts one second, so
 * tests reach the limits quickly.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly minuteMs: number

  constructor(
    timeScale = 1,
    private readonly clock: () => number = Date.now
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new Error('The sandbox time scale must be a positive number')
    }
    this.minuteMs = 60_000 / timeScale
  }

  /** Takes one request from each bucket that applies; false (and nothing taken) when any is empty. */
  tryTake(brandId: string, endpoint: Endpoint): boolean {
    const applicable: [string, number][] = [[`brand:${brandId}`, BRAND_LIMIT_PER_MINUTE]]
    const endpointLimit = ENDPOINT_LIMITS_PER_MINUTE[endpoint]
    if (endpointLimit) applicable.push([`${endpoint}:${brandId}`, endpointLimit])
    const buckets = applicable.map(([key, limit]) => this.refill(key, limit))
    if (buckets.some((bucket) => bucket.tokens < 1)) return false
    for (const bucket of buckets) bucket.tokens -= 1
    return true
  }

  private refill(key: string, limit: number): Bucket {
    const now = this.clock()
    const bucket = this.buckets.get(key) ?? { tokens: limit, updatedAt: now }
    // A clock that steps back (a wall-clock adjustment) refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - bucket.updatedAt)
    bucket.tokens = Math.min(limit, bucket.tokens + (elapsed * limit) / this.minuteMs)
    bucket.updatedAt = now
    this.buckets.set(key, bucket)
    return bucket
  }
}
