import { BENCH_RETRY_POLICY, deliverWithRetries } from '../../../scripts/bench/run'
import { attemptTimes } from '../../../src/server/tracking'

describe("the bench's retry schedule", () => {
  it("gives the bench's retryable failures 5 attempts in all, 1 s apart", () => {
    expect(attemptTimes(BENCH_RETRY_POLICY)).toEqual([0, 1000, 2000, 3000, 4000])
  })
})

describe("the bench's delivery with retries", () => {
  const events = ['a', 'b', 'c'].map((id) => ({ id }))

  it('re-sends only the retryable failures, waiting out the schedule, until the attempts run out', async () => {
    const sent: string[][] = []
    const waits: number[] = []
    // a is delivered, b is refused for good, c fails retryably every time.
    const status: Record<string, number> = { a: 200, b: 400, c: 503 }
    const send = async (pending: { id: unknown }[]) => {
      sent.push(pending.map((event) => String(event.id)))
      return pending.map((event) => status[String(event.id)])
    }
    const wait = async (ms: number) => void waits.push(ms)
    const { finalStatuses, resent } = await deliverWithRetries(events, send, BENCH_RETRY_POLICY, wait)
    expect(sent).toEqual([['a', 'b', 'c'], ['c'], ['c'], ['c'], ['c']])
    expect(waits).toEqual([1000, 1000, 1000, 1000])
    expect(finalStatuses.sort()).toEqual([200, 400, 503])
    expect(resent).toBe(4)
  })

  it('stops as soon as nothing is left to retry', async () => {
    let calls = 0
    const send = async (pending: unknown[]) => pending.map(() => (++calls <= 3 ? 429 : 200))
    const waits: number[] = []
    const { finalStatuses, resent } = await deliverWithRetries(events, send, BENCH_RETRY_POLICY, async (ms) => {
      waits.push(ms)
    })
    expect(finalStatuses).toEqual([200, 200, 200])
    expect(resent).toBe(3)
    expect(waits).toEqual([1000])
  })
})
