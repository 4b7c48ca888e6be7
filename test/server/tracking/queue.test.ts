import { DeliveryWorker, EventQueue, QueueFull, startTracking } from '../../../src/server/tracking'
import type { DeliveryResult, TrackingEvent } from '../../../src/server/tracking'
import { basicAuth, fakeClock, serve, tempFolder, trackEvent, until } from './helpers'

let store: ReturnType<typeof tempFolder>
beforeEach(() => (store = tempFolder()))
// What a test opened, closed even when the test fails half-way (a live worker would keep jest from exiting).
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  store.remove()
})

const received = new Date('2024-05-01T12:00:00Z')
const names = (events: TrackingEvent[]) => events.map((e) => e.event)

const HOUR = 3_600_000

/**
 * Opens the folder's queue and runs a worker with `deliver` until `done` holds, then closes both. Retries wait an
 * hour; `later` runs the worker on a clock two hours ahead, when every retry has fallen due.
 */
async function runOnce(
  deliver: (events: TrackingEvent[]) => DeliveryResult[],
  done: (queue: EventQueue) => boolean,
  later = false
) {
  const queue = await EventQueue.open({ folder: store.folder })
  const worker = new DeliveryWorker({
    queue,
    deliver: async (events) => deliver(events),
    retries: { firstDelayMs: HOUR, maxDelayMs: HOUR, maxAttempts: 5 },
    clock: later ? fakeClock(Date.now() + 2 * HOUR).clock : undefined
  })
  worker.start()
  try {
    await until(() => done(queue))
    return await queue.recent()
  } finally {
    await worker.close()
    await queue.close()
  }
}

describe('EventQueue across restarts', () => {
  it('keeps accepted events that were not delivered, and delivers them after a reopen, in order', async () => {
    const first = await EventQueue.open({ folder: store.folder })
    await first.enqueue(
      ['A', 'B', 'C'].map((n) => trackEvent(n, received)),
      () => 'test'
    )
    await first.close()

    const delivered: TrackingEvent[] = []
    await runOnce(
      (events) => {
        delivered.push(...events)
        return events.map(() => ({ status: 200, retryable: false }))
      },
      (queue) => queue.size.pending === 0
    )
    expect(names(delivered)).toEqual(['A', 'B', 'C'])
  })

  it('after a retryable failure and a restart, delivers each event once, and never again after success', async () => {
    const first = await EventQueue.open({ folder: store.folder })
    await first.enqueue(
      ['A', 'B'].map((n) => trackEvent(n, received)),
      () => 'test'
    )
    await first.close()

    const tries: TrackingEvent[] = []
    const failing = await runOnce(
      (events) => {
        tries.push(...events)
        return events.map(() => ({ status: 503, retryable: true, error: 'down' }))
      },
      () => tries.length >= 2
    )
    expect(failing.map((r) => [r.event, r.status, r.attempts])).toEqual([
      ['B', 'retrying', 1],
      ['A', 'retrying', 1]
    ])

    const successes: TrackingEvent[] = []
    await runOnce(
      (events) => {
        successes.push(...events)
        return events.map(() => ({ status: 200, retryable: false }))
      },
      (queue) => queue.size.pending === 0,
      true
    )
    expect(names(successes)).toEqual(['A', 'B'])

    const third: TrackingEvent[] = []
    const finalRecords = await runOnce(
      (events) => {
        third.push(...events)
        return events.map(() => ({ status: 200, retryable: false }))
      },
      () => true,
      true
    )
    expect(third).toEqual([])
    expect(finalRecords.map((r) => [r.event, r.status, r.attempts])).toEqual([
      ['B', 'delivered', 2],
      ['A', 'delivered', 2]
    ])
  })

  it('an event accepted over HTTP survives a restart before its delivery', async () => {
    const deliveredFirst: TrackingEvent[] = []
    const tracking = await startTracking({
      queueFolder: store.folder,
      writeKey: 'wk',
      // The first run can reach nothing: every try fails retryably and waits (a long back-off), so nothing is done.
      deliver: async (events) => {
        deliveredFirst.push(...events)
        return events.map(() => ({ status: 503, retryable: true }))
      },
      retries: { firstDelayMs: HOUR, maxDelayMs: HOUR, maxAttempts: 5 }
    })
    closers.push(() => tracking.close())
    const server = await serve(tracking.answer)
    closers.push(() => server.close())
    const response = await fetch(`${server.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basicAuth('wk'), 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u1', event: 'Order Completed', messageId: 'order-1' })
    })
    expect(response.status).toBe(200)
    await until(() => deliveredFirst.length === 1)
    for (const close of closers.splice(0).reverse()) await close()

    const again = await startTracking({
      queueFolder: store.folder,
      deliver: async (events) => events.map(() => ({ status: 200, retryable: false })),
      clock: fakeClock(Date.now() + 2 * HOUR).clock
    })
    closers.push(() => again.close())
    expect(again.summary.join('\n')).toMatch(/1 events from an earlier run/)
    await until(async () => (await again.recent())[0]?.status === 'delivered')
    expect(await again.recent()).toEqual([
      expect.objectContaining({ messageId: 'order-1', event: 'Order Completed', attempts: 2, status: 'delivered' })
    ])
    expect((await again.recent())[0].source).toMatch(/^POST \/v1\/track from /)
  })
})

describe('EventQueue', () => {
  it('stores a messageId once, while it waits and after it is finished', async () => {
    const queue = await EventQueue.open({ folder: store.folder })
    const event = trackEvent('A', received)
    // Each repeat says where its first copy stands: earlier in the same request, waiting, then delivered (and when).
    const repeat = (status: string, at?: string) => [{ event, messageId: event.messageId, status, at }]
    expect(await queue.enqueue([event, event], () => 'test')).toEqual({
      accepted: 1,
      duplicates: 1,
      repeats: repeat('repeated')
    })
    expect(await queue.enqueue([event], () => 'test')).toEqual({
      accepted: 0,
      duplicates: 1,
      repeats: repeat('waiting')
    })
    const [entry] = await queue.due(received.getTime(), 10)
    const deliveredAt = '2024-05-01T12:00:05.000Z'
    await queue.settle([{ entry, attempt: { at: deliveredAt, status: 200 }, outcome: 'delivered' }])
    expect(await queue.enqueue([event], () => 'test')).toEqual({
      accepted: 0,
      duplicates: 1,
      repeats: repeat('delivered', deliveredAt)
    })
    await queue.close()
  })

  it('lists an event being settled once, not as both waiting and finished', async () => {
    const queue = await EventQueue.open({ folder: store.folder })
    closers.push(() => queue.close())
    // The listing starts a few ticks into the settling write, at a different point each round.
    for (let ticks = 0; ticks < 30; ticks++) {
      await queue.enqueue([trackEvent(`A${ticks}`, received)], () => 'test')
      const due = await queue.due(received.getTime(), 10)
      const settling = queue.settle(
        due.map((entry) => ({ entry, attempt: { at: 'x', status: 200 }, outcome: 'delivered' }))
      )
      for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve))
      const listed = (await queue.recent(100)).filter((r) => r.event === `A${ticks}`)
      await settling
      expect(listed).toHaveLength(1)
    }
  })

  it('keeps only historyLimit finished events, newest first', async () => {
    const queue = await EventQueue.open({ folder: store.folder, historyLimit: 2 })
    const events = ['A', 'B', 'C'].map((n) => trackEvent(n, received))
    await queue.enqueue(events, () => 'test')
    const due = await queue.due(received.getTime(), 10)
    await queue.settle(due.map((entry) => ({ entry, attempt: { at: 'x', status: 200 }, outcome: 'delivered' })))
    expect((await queue.recent()).map((r) => r.event)).toEqual(['C', 'B'])
    expect(queue.size).toEqual({ pending: 0, finished: 2 })
    // The oldest left the record, so its messageId is new again.
    expect(await queue.enqueue([events[0]], () => 'test')).toEqual({ accepted: 1, duplicates: 0, repeats: [] })
    await queue.close()
  })

  it('refuses events beyond maxPending and tells which process holds a locked folder', async () => {
    const queue = await EventQueue.open({ folder: store.folder, maxPending: 2 })
    await queue.enqueue([trackEvent('A'), trackEvent('B')], () => 'test')
    await expect(queue.enqueue([trackEvent('C')], () => 'test')).rejects.toThrow(QueueFull)
    await expect(EventQueue.open({ folder: store.folder })).rejects.toThrow(/open in another process/)
    await queue.close()
  })
})
