import type { TrackingEvent } from './events'

/** One delivery try of an event: when, the status it ended with, and why it failed if it did. */
export interface Attempt {
  at: string
  status: number
  error?: string
}

/** An accepted event waiting for delivery (or for its next retry). `key` orders the queue: due time, then arrival. */
export interface QueuedEvent {
  key: string
  seq: number
  dueAt: number
  event: TrackingEvent
  source: string
  attempts: Attempt[]
}

/** One line of the queue's record, newest first in `recent()`: fit for a console. */
export interface EventRecord {
  messageId: string
  type: string
  event?: string
  receivedAt: string
  source: string
  status: 'queued' | 'retrying' | 'delivered' | 'failed'
  attempts: number
  lastStatus?: number
  lastError?: string
  /** When the last try was made: for a finished event, when it was delivered or failed for good. */
  lastAttemptAt?: string
  nextAttemptAt?: string
}

/**
 * An event whose messageId the queue already had, so it was not stored again: where the first one stands ('waiting'
 * to be delivered, 'delivered', 'failed' for good, or 'repeated' earlier in the same request) and when it finished.
 */
export interface Repeat {
  messageId: string
  status: 'waiting' | 'delivered' | 'failed' | 'repeated'
  at?: string
}

/** What a repeat is, in the words of the sender's answer and the delivery log: "already delivered on <time>". */
export function describeRepeat(repeat: Repeat): string {
  const on = repeat.at ? ` on ${repeat.at}` : ''
  switch (repeat.status) {
    case 'delivered':
      return `already delivered${on}`
    case 'failed':
      return `already tried, and failed for good${on} (send it with a new messageId to try again)`
    case 'waiting':
      return 'already queued, waiting for delivery'
    case 'repeated':
      return 'sent twice in this request'
  }
}

/** A finished event as the history keeps it (without `nextAttemptAt`), with its arrival number. */
export type FinishedRecord = Omit<EventRecord, 'status'> & { seq: number; status: 'delivered' | 'failed' }

/** The store's sublevels: waiting events, finished ones, and the messageIds of both (value: the arrival number). */
export type RecordSublevel = 'pending' | 'history' | 'ids'

// Fixed-width numbers so LevelDB's byte order is numeric order.
export const pad = (n: number, width: number) => String(Math.max(0, Math.floor(n))).padStart(width, '0')
export const pendingKey = (dueAt: number, seq: number) => `${pad(dueAt, 15)}!${pad(seq, 12)}`
export const historyKey = (seq: number) => pad(seq, 12)
/** The arrival number in a pending key, read even when the record under it cannot be. */
export const seqOfPendingKey = (key: string) => Number(/^\d{15}!(\d{12})$/.exec(key)?.[1] ?? 0)

const LATEST_DATE_MS = 8.64e15
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isText = (v: unknown) => typeof v === 'string'
const isSeq = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0
const isAttempt = (v: unknown) => isObject(v) && isText(v.at) && typeof v.status === 'number'

type Check = [field: string, holds: (record: Record<string, unknown>, key: string) => boolean, what: string]

// What the queue reads of each record: a record without it would stop the delivery or the console.
const PENDING_CHECKS: Check[] = [
  ['seq', (r) => isSeq(r.seq), 'a positive whole number'],
  ['dueAt', (r) => typeof r.dueAt === 'number' && r.dueAt >= 0 && r.dueAt < LATEST_DATE_MS, 'a time in milliseconds'],
  ['key', (r, key) => r.key === key && pendingKey(r.dueAt as number, r.seq as number) === key, 'its own key'],
  [
    'event',
    (r) => isObject(r.event) && isText(r.event.messageId) && isText(r.event.type) && isText(r.event.receivedAt),
    'an event with messageId, type and receivedAt'
  ],
  ['source', (r) => isText(r.source), 'text'],
  ['attempts', (r) => Array.isArray(r.attempts) && r.attempts.every(isAttempt), 'a list of attempts']
]

const HISTORY_CHECKS: Check[] = [
  ['seq', (r, key) => isSeq(r.seq) && historyKey(r.seq as number) === key, 'the number in its key'],
  ['status', (r) => r.status === 'delivered' || r.status === 'failed', '"delivered" or "failed"'],
  ['attempts', (r) => Number.isSafeInteger(r.attempts), 'a whole number'],
  ...['messageId', 'type', 'receivedAt', 'source'].map((field): Check => [field, (r) => isText(r[field]), 'text'])
]

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The bytes as text, or undefined when they are not UTF-8 (a key or value this code never writes). */
export function textOf(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Why a record of `sublevel` cannot be read, in a few words; undefined when it can. A record is readable when it
 * is JSON of the shape this version writes: anything else (a disk fault, a hand edit, an older format) is not.
 */
export function unreadableReason(sublevel: RecordSublevel, keyBytes: Uint8Array, valueBytes: Uint8Array) {
  const key = textOf(keyBytes)
  if (key === undefined) return 'its key is not UTF-8 text'
  const text = textOf(valueBytes)
  if (text === undefined) return 'not UTF-8 text'
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return `not JSON (${(error as Error).message})`
  }
  if (sublevel === 'ids') return isSeq(value) ? undefined : 'not a record of this version: not an arrival number'
  if (!isObject(value)) return 'not a record of this version: not an object'
  const failed = (sublevel === 'pending' ? PENDING_CHECKS : HISTORY_CHECKS).find(([, holds]) => !holds(value, key))
  return failed && `not a record of this version: "${failed[0]}" is not ${failed[2]}`
}
