import { randomUUID } from 'node:crypto'
import { SEGMENT_BATCH_LIMIT_BYTES, SEGMENT_EVENT_LIMIT_BYTES } from '../../sources/qualtrics-responses'
import { BadRequest, isPlainObject } from '../http/body'

/** The calls of Segment's Tracking API; each has its own route and may appear in a batch. */
export const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const
export type CallType = (typeof CALL_TYPES)[number]

/** An accepted call as it is queued: the sender's fields plus what Segment fills in on receipt. */
export type TrackingEvent = Record<string, unknown> & {
  type: CallType
  messageId: string
  receivedAt: string
  sentAt: string
  timestamp: string
}

/** Segment's published limits for the Tracking API (the byte limits stated once, where the receiver sends to it). */
export const TRACKING_LIMITS = {
  /** One call, alone or inside a batch. */
  eventBytes: SEGMENT_EVENT_LIMIT_BYTES,
  /** One POST /v1/batch request. */
  batchBytes: SEGMENT_BATCH_LIMIT_BYTES,
  batchEvents: 2500,
  messageIdChars: 100
}

/** What the receipt adds: when it arrived, and the batch's `sentAt`, `context` and `integrations` to merge in. */
export interface Receipt {
  receivedAt: Date
  sentAt?: unknown
  context?: unknown
  integrations?: unknown
}

export function isCallType(value: unknown): value is CallType {
  return typeof value === 'string' && (CALL_TYPES as readonly string[]).includes(value)
}

const isId = (value: unknown) => (typeof value === 'string' && value.trim() !== '') || typeof value === 'number'

/** The first thing that keeps Segment from accepting this call, in words that say what to add or fix. */
function missingPart(event: Record<string, unknown>, type: CallType): string | undefined {
  if (type === 'alias') {
    if (!isId(event.userId)) return 'an alias call needs a "userId" (the new id)'
    if (!isId(event.previousId)) return 'an alias call needs a "previousId" (the id being replaced)'
  } else if (!isId(event.userId) && !isId(event.anonymousId)) {
    return `a ${type} call needs a "userId" or an "anonymousId"`
  }
  if (type === 'track' && !(typeof event.event === 'string' && event.event.trim() !== ''))
    return 'a track call needs an "event" name'
  if (type === 'group' && !isId(event.groupId)) return 'a group call needs a "groupId"'
  const { messageId } = event
  if (messageId !== undefined && (typeof messageId !== 'string' || messageId.length > TRACKING_LIMITS.messageIdChars))
    return `"messageId" must be a string of at most ${TRACKING_LIMITS.messageIdChars} characters`
  for (const field of ['timestamp', 'originalTimestamp', 'sentAt']) {
    const value = event[field]
    if (value !== undefined && dateOf(value) === undefined) {
      const shown =
        typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : String(JSON.stringify(value)).slice(0, 60)
      return `"${field}" ${shown} is not a date: send ISO 8601 (2024-03-01T10:15:30.000Z) or epoch milliseconds`
    }
  }
  if (event.context !== undefined && !isPlainObject(event.context)) return '"context" must be an object'
  return undefined
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * `timestamp` as Segment sets it: the sender's own when given; else corrected for the sender's clock skew from
 * `originalTimestamp` and `sentAt` (receivedAt - (sentAt - originalTimestamp)); else the time of receipt.
 */
function timestampOf(event: Record<string, unknown>, receivedAt: Date, sentAt: Date | undefined): string {
  const given = dateOf(event.timestamp)
  if (given) return typeof event.timestamp === 'string' ? event.timestamp : given.toISOString()
  const original = dateOf(event.originalTimestamp)
  if (original && sentAt) return new Date(receivedAt.getTime() - (sentAt.getTime() - original.getTime())).toISOString()
  return receivedAt.toISOString()
}

/**
 * Checks one call and completes it the way Segment does on receipt: `type` (the route's, for single calls),
 * `messageId` when missing, `receivedAt`, `sentAt`, `timestamp`, and the batch's context and integrations merged
 * under the call's own. The write key is dropped: it is a credential, not part of the event.
 * Throws BadRequest(400) naming `where` and the problem.
 */
export function completeCall(raw: unknown, type: unknown, receipt: Receipt, where: string): TrackingEvent {
  if (!isPlainObject(raw)) throw new BadRequest(400, `${where} is not a JSON object.`)
  if (!isCallType(type)) {
    throw new BadRequest(400, `${where} needs a "type", one of ${CALL_TYPES.join(', ')}.`)
  }
  const size = Buffer.byteLength(JSON.stringify(raw))
  if (size > TRACKING_LIMITS.eventBytes) {
    throw new BadRequest(
      400,
      `${where} is ${size} bytes; Segment accepts at most ${TRACKING_LIMITS.eventBytes} per call.`
    )
  }
  const problem = missingPart(raw, type)
  if (problem) throw new BadRequest(400, `${where}: ${problem}.`)

  const event: Record<string, unknown> = { ...raw }
  delete event.writeKey
  const sentAt = dateOf(event.sentAt) ?? dateOf(receipt.sentAt)
  const merged = (batchLevel: unknown, own: unknown) =>
    isPlainObject(batchLevel) ? { ...batchLevel, ...(isPlainObject(own) ? own : {}) } : own
  const context = merged(receipt.context, event.context)
  const integrations = merged(receipt.integrations, event.integrations)
  return {
    ...event,
    ...(context !== undefined ? { context } : {}),
    ...(integrations !== undefined ? { integrations } : {}),
    type,
    messageId: typeof event.messageId === 'string' && event.messageId !== '' ? event.messageId : randomUUID(),
    timestamp: timestampOf(event, receipt.receivedAt, sentAt),
    sentAt: (sentAt ?? receipt.receivedAt).toISOString(),
    receivedAt: receipt.receivedAt.toISOString()
  }
}

/** The calls of a POST /v1/batch body: `{ batch: [...], context?, integrations?, sentAt?, writeKey? }`. */
export function completeBatch(body: unknown, receivedAt: Date): TrackingEvent[] {
  if (!isPlainObject(body)) throw new BadRequest(400, 'Body is not a JSON object: send {"batch": [ ...calls ]}.')
  const { batch } = body
  if (!Array.isArray(batch)) throw new BadRequest(400, '"batch" must be an array of calls.')
  if (batch.length === 0) throw new BadRequest(400, '"batch" is empty: there is nothing to accept.')
  if (batch.length > TRACKING_LIMITS.batchEvents) {
    throw new BadRequest(
      400,
      `"batch" has ${batch.length} calls; Segment accepts at most ${TRACKING_LIMITS.batchEvents}.`
    )
  }
  const receipt: Receipt = { receivedAt, sentAt: body.sentAt, context: body.context, integrations: body.integrations }
  return batch.map((call, i) =>
    completeCall(call, isPlainObject(call) ? call.type : undefined, receipt, `batch[${i}] (${describe(call)})`)
  )
}

/** A call as a person would name it in an error: its type and messageId when it has them. */
function describe(call: unknown): string {
  if (!isPlainObject(call)) return typeof call
  const parts = [typeof call.type === 'string' ? call.type : 'no type']
  if (typeof call.messageId === 'string') parts.push(`messageId ${call.messageId}`)
  return parts.join(', ')
}
