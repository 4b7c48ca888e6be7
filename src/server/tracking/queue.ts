import { mkdirSync } from 'node:fs'
import { ClassicLevel } from 'classic-level'
import type { TrackingEvent } from './events'
import { refuseForbiddenFolder } from './folder-guard'
import { historyKey, pad, pendingKey } from './records'
import type { Attempt, EventRecord, FinishedRecord, QueuedEvent, Repeat } from './records'
import { checkStore } from './unreadable'
import type { StoreCheck, UnreadableRecords } from './unreadable'

export { describeRepeat } from './records'
export type { Attempt, EventRecord, QueuedEvent, Repeat } from './records'
export type { UnreadableRecord, UnreadableRecords } from './unreadable'

/** What happened to a delivered batch's event: a record of the try, and when to try again if it is to be retried. */
export interface Settlement {
  entry: QueuedEvent
  attempt: Attempt
  outcome: 'delivered' | 'failed' | 'retry'
  retryAt?: number
}

export interface EventQueueOptions {
  /** Folder of the LevelDB store; created when missing. One process at a time may open it. */
  folder: string
  /** Finished events kept for `recent()` and for recognising a resent messageId (default 1000). */
  historyLimit?: number
  /** Accepting stops (QueueFull) while this many events wait (default 100 000): the disk is bounded too. */
  maxPending?: number
}

export class QueueFull extends Error {}

type Store = ClassicLevel<string, unknown>

/** Where the first copy of a repeated messageId stands: finished (with when), or still waiting. */
function repeatOf(messageId: string, finished: FinishedRecord | undefined): Repeat {
  if (!finished) return { messageId, status: 'waiting' }
  return { messageId, status: finished.status, at: finished.lastAttemptAt }
}
type Finished = FinishedRecord

function recordOf(entry: QueuedEvent): EventRecord {
  const last = entry.attempts.at(-1)
  return {
    messageId: entry.event.messageId,
    type: entry.event.type,
    event: typeof entry.event.event === 'string' ? entry.event.event : undefined,
    receivedAt: entry.event.receivedAt,
    source: entry.source,
    status: entry.attempts.length > 0 ? 'retrying' : 'queued',
    attempts: entry.attempts.length,
    lastStatus: last?.status,
    lastError: last?.error,
    lastAttemptAt: last?.at,
    nextAttemptAt: new Date(entry.dueAt).toISOString()
  }
}

/**
 * Accepted events on disk until they are delivered or fail for good, in a LevelDB store (classic-level): every
 * change is one atomic, synced write batch, so a crash leaves each event either waiting or finished, never lost
 * and never both. Writes run one after another, so the messageId check and the write that follows it agree.
 */
export class EventQueue {
  private chain: Promise<unknown> = Promise.resolve()
  private readonly listeners: Array<(events: TrackingEvent[]) => void> = []

  private readonly pending
  private readonly history
  private readonly ids
  private nextSeq: number
  private pendingCount: number
  private historyCount: number
  /** Records this store could not read, set aside on open (by this start or an earlier one). */
  readonly unreadable: UnreadableRecords

  private constructor(
    private readonly db: Store,
    private readonly options: Required<Omit<EventQueueOptions, 'folder'>>,
    readonly folder: string,
    check: StoreCheck
  ) {
    this.pendingCount = check.pending
    this.historyCount = check.history
    this.nextSeq = check.lastSeq + 1
    this.unreadable = check.unreadable
    this.pending = db.sublevel<string, QueuedEvent>('pending', { valueEncoding: 'json' })
    this.history = db.sublevel<string, Finished>('history', { valueEncoding: 'json' })
    this.ids = db.sublevel<string, number>('ids', { valueEncoding: 'json' })
  }

  /**
   * Opens (or makes) the store. Every record is read once first: one that cannot be read is set aside, counted and
   * named (`unreadable`), and the others are delivered as usual (see unreadable.ts).
   */
  static async open(options: EventQueueOptions): Promise<EventQueue> {
    refuseForbiddenFolder(options.folder)
    mkdirSync(options.folder, { recursive: true })
    const db: Store = new ClassicLevel<string, unknown>(options.folder, { valueEncoding: 'json' })
    try {
      await db.open()
    } catch (error) {
      const e = error as { code?: string; cause?: { code?: string } }
      if (e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED') {
        throw new Error(`The event queue in ${options.folder} is open in another process (another npm start?).`)
      }
      throw error
    }
    const settings = { historyLimit: options.historyLimit ?? 1000, maxPending: options.maxPending ?? 100_000 }
    try {
      return new EventQueue(db, settings, options.folder, await checkStore(db, options.folder))
    } catch (error) {
      await db.close()
      throw error
    }
  }

  /** Called after each accepted write with the events it stored (the delivery worker wakes up on it). */
  onEnqueued(listener: (events: TrackingEvent[]) => void): void {
    this.listeners.push(listener)
  }

  get size(): { pending: number; finished: number } {
    return { pending: this.pendingCount, finished: this.historyCount }
  }

  /**
   * Stores the events durably (the write is synced before this resolves). A messageId already waiting or
   * recently finished is not stored again: senders retry a batch whose answer they missed, and Segment
   * deduplicates on messageId too. Each such repeat is returned with where its first copy stands.
   */
  enqueue(
    events: TrackingEvent[],
    sourceOf: (event: TrackingEvent) => string
  ): Promise<{ accepted: number; duplicates: number; repeats: Array<Repeat & { event: TrackingEvent }> }> {
    return this.serially(async () => {
      const known = await this.ids.getMany(events.map((e) => e.messageId))
      const finished = await this.history.getMany(known.map((seq) => historyKey(seq ?? 0)))
      const seen = new Set<string>()
      const fresh: TrackingEvent[] = []
      const repeats: Array<Repeat & { event: TrackingEvent }> = []
      events.forEach((event, i) => {
        const { messageId } = event
        if (known[i] !== undefined) repeats.push({ event, ...repeatOf(messageId, finished[i]) })
        else if (seen.has(messageId)) repeats.push({ event, messageId, status: 'repeated' })
        else fresh.push(event)
        seen.add(messageId)
      })
      if (this.pendingCount + fresh.length > this.options.maxPending) {
        throw new QueueFull(`${this.pendingCount} events are waiting for delivery, the most this queue holds.`)
      }
      const batch = this.db.batch()
      for (const event of fresh) {
        const seq = this.nextSeq++
        const dueAt = Date.parse(event.receivedAt)
        const entry: QueuedEvent = {
          key: pendingKey(dueAt, seq),
          seq,
          dueAt,
          event,
          source: sourceOf(event),
          attempts: []
        }
        batch.put(entry.key, entry, { sublevel: this.pending })
        batch.put(event.messageId, seq, { sublevel: this.ids })
      }
      await batch.write({ sync: true })
      this.pendingCount += fresh.length
      if (fresh.length > 0) this.listeners.forEach((listener) => listener(fresh))
      return { accepted: fresh.length, duplicates: repeats.length, repeats }
    })
  }

  /**
   * Forgets the finished events and their messageIds (events still waiting stay, and are still delivered): for a
   * target that starts empty, such as the sandbox, which must not be told "already delivered" about what it lost.
   */
  forgetFinished(): Promise<number> {
    return this.serially(async () => {
      const batch = this.db.batch()
      for await (const key of this.ids.keys()) batch.del(key, { sublevel: this.ids })
      for await (const key of this.history.keys()) batch.del(key, { sublevel: this.history })
      for await (const entry of this.pending.values())
        batch.put(entry.event.messageId, entry.seq, { sublevel: this.ids })
      await batch.write({ sync: true })
      const forgotten = this.historyCount
      this.historyCount = 0
      return forgotten
    })
  }

  /** Up to `limit` events due at `now`, earliest due first (arrival order for events never tried). */
  async due(now: number, limit: number): Promise<QueuedEvent[]> {
    return this.pending.values({ lt: `${pad(now + 1, 15)}!`, limit }).all()
  }

  /** When the earliest waiting event falls due, or undefined when none waits. */
  async nextDueAt(): Promise<number | undefined> {
    const [first] = await this.pending.values({ limit: 1 }).all()
    return first?.dueAt
  }

  /** Records a batch's outcomes in one synced write: finished events move to the history, retries are re-keyed. */
  settle(settlements: Settlement[]): Promise<void> {
    return this.serially(async () => {
      const batch = this.db.batch()
      let finished = 0
      for (const { entry, attempt, outcome, retryAt } of settlements) {
        const attempts = [...entry.attempts, attempt]
        batch.del(entry.key, { sublevel: this.pending })
        if (outcome === 'retry' && retryAt !== undefined) {
          const next: QueuedEvent = { ...entry, key: pendingKey(retryAt, entry.seq), dueAt: retryAt, attempts }
          batch.put(next.key, next, { sublevel: this.pending })
          continue
        }
        const record = recordOf({ ...entry, attempts })
        const done: Finished = { ...record, seq: entry.seq, status: outcome === 'delivered' ? 'delivered' : 'failed' }
        delete done.nextAttemptAt
        batch.put(historyKey(entry.seq), done, { sublevel: this.history })
        finished++
      }
      await batch.write({ sync: true })
      this.pendingCount -= finished
      this.historyCount += finished
      await this.trimHistory()
    })
  }

  /** The newest `limit` events, waiting or finished, newest first. */
  recent(limit = 50): Promise<EventRecord[]> {
    // Between writes, so an event being settled is not read both as waiting and as finished.
    return this.serially(() => this.readRecent(limit))
  }

  private async readRecent(limit: number): Promise<EventRecord[]> {
    const waiting = (await this.pending.values({ reverse: true, limit }).all()).map((entry) => ({
      seq: entry.seq,
      record: recordOf(entry)
    }))
    const done = (await this.history.values({ reverse: true, limit }).all()).map(({ seq, ...record }) => ({
      seq,
      record: record as EventRecord
    }))
    return [...waiting, ...done]
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .map((item) => item.record)
  }

  /** Waits for the writes under way, then closes the store. */
  async close(): Promise<void> {
    await this.chain.catch(() => undefined)
    await this.db.close()
  }

  private async trimHistory(): Promise<void> {
    const excess = this.historyCount - this.options.historyLimit
    if (excess <= 0) return
    const oldest = await this.history.values({ limit: excess }).all()
    const batch = this.db.batch()
    for (const record of oldest) {
      batch.del(historyKey(record.seq), { sublevel: this.history })
      batch.del(record.messageId, { sublevel: this.ids })
    }
    await batch.write({ sync: true })
    this.historyCount -= oldest.length
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work)
    this.chain = run.catch(() => undefined)
    return run
  }
}
