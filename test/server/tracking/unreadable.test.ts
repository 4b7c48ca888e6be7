import { ClassicLevel } from 'classic-level'
import { DeliveryWorker, EventQueue, startTracking } from '../../../src/server/tracking'
import type { TrackingEvent } from '../../../src/server/tracking'
import { tempFolder, trackEvent, until } from './helpers'

// A record the queue cannot read (a disk fault, a hand edit, a record of an older format) is set aside on open:
// kept byte for byte under the `unreadable` sublevel, counted and named, and everything else is delivered.

let store: ReturnType<typeof tempFolder>
beforeEach(() => (store = tempFolder()))
afterEach(() => store.remove())

const received = new Date('2024-05-01T12:00:00Z')
const ok = (events: TrackingEvent[]) => events.map(() => ({ status: 200, retryable: false }))

/** The store as LevelDB holds it, bytes in and out: how a disk fault or a hand edit reaches it. */
async function withRawStore<T>(work: (db: ClassicLevel<Buffer, Buffer>) => Promise<T>): Promise<T> {
  const db = new ClassicLevel<Buffer, Buffer>(store.folder, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await db.open()
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

const raw = (db: ClassicLevel<Buffer, Buffer>, name: string) =>
  db.sublevel<Buffer, Buffer>(name, { keyEncoding: 'buffer', valueEncoding: 'buffer' })

/** Every record of one sublevel, keys and values as text. */
const entriesOf = (name: string) =>
  withRawStore(async (db) =>
    (await raw(db, name).iterator().all()).map(([key, value]) => [key.toString(), value.toString('latin1')])
  )

/** Queues the events (named A, B, …) and closes the store; answers the pending records' keys, in order. */
async function queueEvents(...eventNames: string[]): Promise<string[]> {
  const queue = await EventQueue.open({ folder: store.folder })
  await queue.enqueue(
    eventNames.map((name) => trackEvent(name, received)),
    () => 'test'
  )
  await queue.close()
  return (await entriesOf('pending')).map(([key]) => key)
}

/** Opens the queue, delivers everything due and closes it; answers the names of the events delivered. */
async function deliverAll(): Promise<{ delivered: string[]; queue: EventQueue }> {
  const queue = await EventQueue.open({ folder: store.folder })
  const delivered: string[] = []
  const worker = new DeliveryWorker({
    queue,
    deliver: async (events) => {
      delivered.push(...events.map((e) => String(e.event)))
      return ok(events)
    }
  })
  worker.start()
  try {
    await until(() => queue.size.pending === 0)
  } finally {
    await worker.close()
    await queue.close()
  }
  return { delivered, queue }
}

// Bytes that do not decode: a record cut short, with a byte that is not UTF-8.
const BROKEN = Buffer.concat([Buffer.from('{"key":"0001714564800000!00000000000'), Buffer.from([0xff, 0x00])])

describe('a queue with an unreadable record', () => {
  it('sets a record that is not JSON aside, byte for byte, and delivers the others in order', async () => {
    const [, second] = await queueEvents('A', 'B', 'C')
    await withRawStore((db) => raw(db, 'pending').put(Buffer.from(second), BROKEN))

    const { delivered, queue } = await deliverAll()
    expect(delivered).toEqual(['A', 'C'])
    expect(queue.unreadable.count).toBe(1)
    expect(queue.unreadable.found).toEqual([
      { from: 'pending', key: second, reason: expect.stringMatching(/^not UTF-8 text|^not JSON/) }
    ])
    const kept = await withRawStore(async (db) => raw(db, 'unreadable').iterator().all())
    expect(kept.map(([key]) => key.toString())).toEqual([`pending!${second}`])
    expect(kept[0][1].equals(BROKEN)).toBe(true)
  })

  it('sets aside a record of an older format (valid JSON, not a pending event of this version)', async () => {
    const [first] = await queueEvents('A', 'B')
    // What an earlier layout might have stored: the bare event, without its key, sequence, source or attempts.
    const older = JSON.stringify({
      event: 'Old',
      type: 'track',
      messageId: 'old-1',
      receivedAt: received.toISOString()
    })
    await withRawStore((db) => raw(db, 'pending').put(Buffer.from(first), Buffer.from(older)))

    const { delivered, queue } = await deliverAll()
    expect(delivered).toEqual(['B'])
    expect(queue.unreadable.found).toEqual([
      { from: 'pending', key: first, reason: expect.stringContaining('not a record of this version') }
    ])
    expect(await entriesOf('unreadable')).toEqual([[`pending!${first}`, older]])
  })

  it('counts a record set aside once: a second open keeps it and its count, and names nothing new', async () => {
    const [first] = await queueEvents('A', 'B')
    await withRawStore((db) => raw(db, 'pending').put(Buffer.from(first), BROKEN))
    await deliverAll()

    const again = await EventQueue.open({ folder: store.folder })
    expect(again.unreadable).toEqual(expect.objectContaining({ count: 1, found: [] }))
    await again.close()
    expect((await entriesOf('unreadable')).map(([key]) => key)).toEqual([`pending!${first}`])
  })

  it('sets aside unreadable finished records and messageId records too: recent() and new events still work', async () => {
    await queueEvents('A', 'B')
    await deliverAll()
    const [history] = await entriesOf('history')
    const [id] = await entriesOf('ids')
    await withRawStore(async (db) => {
      await raw(db, 'history').put(Buffer.from(history[0]), Buffer.from('{"seq":'))
      await raw(db, 'ids').put(Buffer.from(id[0]), Buffer.from('"seven"'))
    })

    const queue = await EventQueue.open({ folder: store.folder })
    try {
      expect(queue.unreadable.found.map((f) => `${f.from} ${f.key}`)).toEqual([`history ${history[0]}`, `ids ${id[0]}`])
      expect((await queue.recent()).map((r) => r.event)).toEqual(['B'])
      expect(await queue.enqueue([trackEvent('C', received)], () => 'test')).toEqual({
        accepted: 1,
        duplicates: 0,
        repeats: []
      })
    } finally {
      await queue.close()
    }
  })

  it('names it in the start-up lines, with where it is kept', async () => {
    const [first] = await queueEvents('A', 'B')
    await withRawStore((db) => raw(db, 'pending').put(Buffer.from(first), Buffer.from('not json')))
    const tracking = await startTracking({ queueFolder: store.folder, deliver: async (events) => ok(events) })
    try {
      const lines = tracking.summary.join('\n')
      expect(lines).toContain(`1 unreadable record set aside: pending ${first} (not JSON`)
      expect(lines).toContain(`kept in ${store.folder} under "unreadable!"`)
      expect(lines).toContain('docs/local-server.md')
      expect(tracking.queue().unreadable.count).toBe(1)
    } finally {
      await tracking.close()
    }
    const again = await startTracking({ queueFolder: store.folder, deliver: async (events) => ok(events) })
    try {
      expect(again.summary.join('\n')).toContain('1 unreadable record set aside by an earlier start')
    } finally {
      await again.close()
    }
  })
})
