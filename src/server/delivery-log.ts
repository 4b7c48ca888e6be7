import { randomUUID } from 'node:crypto'
import type { Redactor } from '../destinations/qualtrics'

export type DeliverySource = 'sdk' | 'events' | 'tester'
export type DeliveryState = 'queued' | 'retrying' | 'delivered' | 'failed'

/** One subscription's (or, from the tester, one action's) run of an event. */
export interface SubscriptionDelivery {
  subscription: string
  action: string
  status: number
  retryable: boolean
  /** What the mapping made of the event: the action's input. */
  payload?: unknown
  body?: unknown
  errormessage?: string
}

export interface LoggedExchange {
  request: { method?: string; url?: string; headers?: unknown; body?: unknown }
  response: { status?: number; body?: unknown }
}

/** One event the server received, and what became of it (the console's contract: keep the shape). */
export interface DeliveryRecord {
  id: string
  receivedAt: string
  source: DeliverySource
  type?: string
  event?: string
  messageId?: string
  /** Who the event is about, as the console's cards show it. */
  userId?: string
  anonymousId?: string
  state: DeliveryState
  /** What the state alone does not say: for an event sent again, "already delivered on …: not queued again". */
  message?: string
  attempts: number
  deliveries: SubscriptionDelivery[]
  requests: LoggedExchange[]
}

export const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'retrying', 'delivered', 'failed']
export const DELIVERY_LOG_LIMIT = 500

export interface ReceivedEvent {
  type?: unknown
  event?: unknown
  messageId?: unknown
  userId?: unknown
  anonymousId?: unknown
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * The last DELIVERY_LOG_LIMIT events received (tracking API, POST /events, POST /{action}), newest first, each with
 * its deliveries and the Qualtrics exchanges they made. Kept in memory only: the durable record of tracked events is
 * the queue. Everything stored is redacted with the redactor of the request that produced it.
 */
export class DeliveryLog {
  private readonly records: DeliveryRecord[] = []
  /** Tracking API events by messageId: the worker reports on them later, by messageId. */
  private readonly tracked = new Map<string, DeliveryRecord>()
  /** Records of events sent again while their first copy waited: they take its state when it settles. */
  private readonly followers = new Map<string, DeliveryRecord[]>()

  constructor(private readonly limit = DELIVERY_LOG_LIMIT) {}

  /** A new event: returns its record, to be completed by `attempted` and `settled`. */
  received(source: DeliverySource, event: ReceivedEvent, receivedAt = new Date()): DeliveryRecord {
    const record = this.add(source, event, receivedAt)
    if (source === 'sdk' && record.messageId) this.tracked.set(record.messageId, record)
    return record
  }

  /**
   * A tracking API event not queued, since its messageId was already known: a record of its own, with the message
   * its sender was answered. Its state is the first copy's: `finished` when that one had finished, else the state of
   * the first copy's record, which it follows until that one settles (the worker reports only the first copy).
   */
  repeated(event: ReceivedEvent, message: string, finished?: DeliveryState, receivedAt = new Date()): DeliveryRecord {
    const record = this.add('sdk', event, receivedAt)
    record.message = message
    const messageId = record.messageId
    if (finished !== undefined || messageId === undefined) {
      record.state = finished ?? 'delivered'
      return record
    }
    record.state = this.tracked.get(messageId)?.state ?? 'queued'
    this.followers.set(messageId, [...(this.followers.get(messageId) ?? []), record])
    return record
  }

  private add(source: DeliverySource, event: ReceivedEvent, receivedAt: Date): DeliveryRecord {
    const record: DeliveryRecord = {
      id: randomUUID(),
      receivedAt: receivedAt.toISOString(),
      source,
      type: text(event.type),
      event: text(event.event),
      messageId: text(event.messageId),
      userId: text(event.userId),
      anonymousId: text(event.anonymousId),
      state: 'queued',
      attempts: 0,
      deliveries: [],
      requests: []
    }
    this.records.unshift(record)
    for (const dropped of this.records.splice(this.limit)) {
      if (dropped.messageId && this.tracked.get(dropped.messageId) === dropped) this.tracked.delete(dropped.messageId)
    }
    return record
  }

  /** The record of a tracking API event, made now if it was accepted before this process started (a restart). */
  trackedEvent(event: ReceivedEvent & { receivedAt?: unknown }): DeliveryRecord {
    const messageId = text(event.messageId)
    const known = messageId ? this.tracked.get(messageId) : undefined
    if (known) return known
    const receivedAt = new Date(text(event.receivedAt) ?? Date.now())
    return this.received('sdk', event, Number.isNaN(receivedAt.getTime()) ? new Date() : receivedAt)
  }

  /**
   * One delivery try: its outcome per subscription (made with `loggedDelivery`) and the exchanges it made, already
   * redacted (once per run, since every event of a batch shares them).
   */
  attempted(record: DeliveryRecord, deliveries: SubscriptionDelivery[], requests: LoggedExchange[]): void {
    record.attempts += 1
    record.deliveries = deliveries
    record.requests = requests
  }

  /** Where a tracked event stands after the worker recorded its outcome. */
  settled(messageId: string, state: DeliveryState): void {
    const record = this.tracked.get(messageId)
    if (record) record.state = state
    for (const follower of this.followers.get(messageId) ?? []) follower.state = state
    if (state === 'delivered' || state === 'failed') this.followers.delete(messageId)
  }

  /** Newest first; only records in `state` when it is given. */
  list(state?: DeliveryState): DeliveryRecord[] {
    return state ? this.records.filter((record) => record.state === state) : [...this.records]
  }
}

/**
 * A delivery as the log keeps it, redacted with its request's redactor. The mapped payload is worked out only when
 * first read (a console reads few of the records kept), then kept.
 */
export function loggedDelivery(
  delivery: Omit<SubscriptionDelivery, 'payload'>,
  mappedPayload: () => unknown,
  redactor: Redactor
): SubscriptionDelivery {
  const logged = redactor.value(delivery) as SubscriptionDelivery
  let payload: { value: unknown } | undefined
  return Object.defineProperty(logged, 'payload', {
    enumerable: true,
    get: () => (payload ??= { value: redactor.value(mappedPayload()) }).value
  })
}

/** A synchronous run's state: delivered when every delivery succeeded (or none was due), failed otherwise. */
export function stateOfDeliveries(deliveries: Array<{ status: number }>): DeliveryState {
  return deliveries.every((d) => d.status >= 200 && d.status < 300) ? 'delivered' : 'failed'
}
