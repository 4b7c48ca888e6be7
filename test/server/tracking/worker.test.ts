import { DeliveryWorker, EventQueue, outcomeOfDeliveries, retryDelayMs } from '../../../src/server/tracking'
import type { DeliveryResult, TrackingEvent } from '../../../src/server/tracking'
import { fakeClock, tempFolder, trackEvent, until } from './helpers'

const policy = { firstDelayMs: 1000, maxDelayMs: 3000, maxAttempts: 10 }
let store: ReturnType<typeof tempFolder>
let queue: EventQueue

beforeEach(async () => {
  store = tempFolder()
  queue = await EventQueue.open({ folder: store.folder })
})
const workers: DeliveryWorker[] = []
afterEach(async () => {
  // A test that failed half-way still stops its worker before the store goes.
  await Promise.all(workers.splice(0).map((worker) => worker.close()))
  await queue.close()
  store.remove()
})

describe('retryDelayMs', () => {
  it('doubles from the first wait up to the longest, with jitter between half and all of the step', () => {
    const atHalf = [1, 2, 3, 4, 10].map((n) => retryDelayMs(n, policy, () => 0))
    expect(atHalf).toEqual([500, 1000, 1500, 1500, 1500])
    const atTop = [1, 2, 3, 40].map((n) => retryDelayMs(n, policy, () => 0.999999))
    expect(atTop).toEqual([1000, 2000, 3000, 3000])
  })
})

/** Runs a worker over the queue with a clock that never waits; returns what deliver saw and when. */
function runWorker(deliver: (events: TrackingEvent[], call: number) => DeliveryResult[] | Promise<DeliveryResult[]>) {
  const time = fakeClock(Date.parse('2024-05-01T12:00:00Z'))
  const calls: Array<{ at: number; names: unknown[] }> = []
  const worker = new DeliveryWorker({
    queue,
    clock: time.clock,
    retries: policy,
    random: () => 0.5,
    deliver: async (events) => {
      calls.push({ at: time.clock.now(), names: events.map((e) => e.event) })
      return deliver(events, calls.length)
    }
  })
  queue.onEnqueued(() => worker.notify())
  worker.start()
  workers.push(worker)
  return { worker, calls, time }
}

const received = new Date('2024-05-01T12:00:00Z')
const ok: DeliveryResult = { status: 200, retryable: false }
const unavailable: DeliveryResult = { status: 503, retryable: true, error: 'Service Unavailable' }

describe('DeliveryWorker', () => {
  it('retries a retryable failure on the back-off schedule until it is delivered', async () => {
    const { worker, calls } = runWorker((events, call) => events.map(() => (call <= 3 ? unavailable : ok)))
    await queue.enqueue([trackEvent('A', received)], () => 'test')
    await until(async () => (await queue.recent())[0]?.status === 'delivered')
    await worker.close()
    const start = received.getTime()
    // random 0.5 puts each wait at 3/4 of its step: 750, 1500, then 2250 (the 4000 step is capped at 3000).
    expect(calls.map((c) => c.at - start)).toEqual([0, 750, 2250, 4500])
    const [record] = await queue.recent()
    expect(record).toMatchObject({ status: 'delivered', attempts: 4, lastStatus: 200, source: 'test' })
  })

  it('gives up after maxAttempts, and at once on a failure that is not retryable', async () => {
    const { worker, calls } = runWorker((events) =>
      events.map((e) => (e.event === 'bad' ? { status: 400, retryable: false, error: 'no email' } : unavailable))
    )
    await queue.enqueue([trackEvent('bad', received), trackEvent('flaky', received)], () => 'test')
    await until(() => queue.size.pending === 0)
    await worker.close()
    expect(calls.filter((c) => c.names.includes('bad'))).toHaveLength(1)
    expect(calls.filter((c) => c.names.includes('flaky'))).toHaveLength(policy.maxAttempts)
    const records = await queue.recent()
    expect(records.map((r) => [r.event, r.status, r.attempts, r.lastError])).toEqual([
      ['flaky', 'failed', 10, 'Service Unavailable'],
      ['bad', 'failed', 1, 'no email']
    ])
  })

  it('delivers in arrival order and re-sends only the events that failed', async () => {
    const { worker, calls } = runWorker((events, call) =>
      events.map((e) => (call === 1 && e.event === 'B' ? unavailable : ok))
    )
    await queue.enqueue(
      ['A', 'B', 'C'].map((name) => trackEvent(name, received)),
      () => 'test'
    )
    await until(() => queue.size.pending === 0)
    await worker.close()
    expect(calls.map((c) => c.names)).toEqual([['A', 'B', 'C'], ['B']])
  })

  it('counts a deliver that throws or answers the wrong number of results as a retryable failure', async () => {
    const { worker } = runWorker((events, call) => {
      if (call === 1) throw new Error('runner crashed')
      if (call === 2) return []
      return events.map(() => ok)
    })
    await queue.enqueue([trackEvent('A', received)], () => 'test')
    await until(() => queue.size.pending === 0)
    await worker.close()
    expect((await queue.recent())[0]).toMatchObject({ status: 'delivered', attempts: 3 })
  })

  it('close() waits for the delivery under way and records it', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started = false
    const { worker } = runWorker(async (events) => {
      started = true
      await gate
      return events.map(() => ok)
    })
    await queue.enqueue([trackEvent('A', received)], () => 'test')
    await until(() => started)
    let closed = false
    const closing = worker.close().then(() => (closed = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(closed).toBe(false)
    release()
    await closing
    expect((await queue.recent())[0]).toMatchObject({ status: 'delivered' })
  })
})

describe('outcomeOfDeliveries', () => {
  it('is delivered when every subscription succeeded or none matched, retryable when any failure is', () => {
    expect(outcomeOfDeliveries([])).toEqual({ status: 200, retryable: false })
    expect(outcomeOfDeliveries([{ status: 200, retryable: false }])).toEqual({ status: 200, retryable: false })
    const mixed = outcomeOfDeliveries([
      { status: 200, retryable: false, action: 'upsertContact' },
      { status: 400, retryable: false, action: 'triggerXflow', errormessage: 'bad url' },
      { status: 429, retryable: true, action: 'upsertContactTransaction', errormessage: 'slow down' }
    ])
    expect(mixed).toEqual({
      status: 429,
      retryable: true,
      error: 'triggerXflow: 400 bad url; upsertContactTransaction: 429 slow down'
    })
  })
})
