import {
  attemptTimes,
  describePolicy,
  retryDelayMs,
  SEGMENT_DESTINATION_RETRIES,
  TRACKING_API_RETRIES
} from '../../../src/server/tracking'

// The one model of Segment's retries: the tracking API's worker, the fault run and the bench all read it.
describe("Segment's retries", () => {
  it('the tracking API: 1 s doubling up to 5 minutes, 10 attempts in all', () => {
    const times = attemptTimes(TRACKING_API_RETRIES)
    expect(times).toHaveLength(10)
    expect(times.slice(0, 5)).toEqual([0, 1000, 3000, 7000, 15000])
    const gaps = times.slice(1).map((t, i) => t - times[i])
    expect(Math.max(...gaps)).toBe(256_000)
    expect(describePolicy(TRACKING_API_RETRIES)).toBe('back-off from 1 s doubling up to 5 min (10 attempts at most)')
  })

  it("the fault run's window of Segment's retries of a destination: 1 s doubling up to 10 minutes, within 4 hours", () => {
    const times = attemptTimes(SEGMENT_DESTINATION_RETRIES)
    expect(times.slice(0, 5)).toEqual([0, 1000, 3000, 7000, 15000])
    const gaps = times.slice(1).map((t, i) => t - times[i])
    expect(Math.max(...gaps)).toBe(600_000)
    expect(times.at(-1)).toBeLessThanOrEqual(4 * 3_600_000)
    expect(times).toHaveLength(33)
    expect(describePolicy(SEGMENT_DESTINATION_RETRIES)).toBe(
      'back-off from 1 s doubling up to 10 min, for 4 h (33 attempts at most)'
    )
  })

  it("the worker's waits are the schedule's gaps, jittered between half and all of each", () => {
    const policy = { firstDelayMs: 1000, maxDelayMs: 3000, maxAttempts: 6 }
    const times = attemptTimes(policy)
    const gaps = times.slice(1).map((t, i) => t - times[i])
    expect(gaps).toEqual([1000, 2000, 3000, 3000, 3000])
    expect(gaps.map((_, i) => retryDelayMs(i + 1, policy, () => 0.999999))).toEqual(gaps)
    expect(gaps.map((_, i) => retryDelayMs(i + 1, policy, () => 0))).toEqual(gaps.map((gap) => gap / 2))
  })

  it('refuses a policy without an end or with a first wait of nothing', () => {
    expect(() => attemptTimes({ firstDelayMs: 1000, maxDelayMs: 1000 })).toThrow(/maxAttempts or windowMs/)
    expect(() => attemptTimes({ firstDelayMs: 0, maxDelayMs: 1000, maxAttempts: 3 })).toThrow(/firstDelayMs > 0/)
  })
})
