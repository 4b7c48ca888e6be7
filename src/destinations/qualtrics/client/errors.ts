import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import type { JSONLikeObject } from '@segment/actions-core'
import { REQUEST_TIMEOUT_MS } from './client-state'
import type { EndpointName } from './endpoints'
import type { Redactor } from './redaction'
import type { TransactionEntry } from './types'

/**
 * One call as the client method that sends it names it: the endpoint (endpoints.ts: its counters and OAuth scope),
 * and in words a Segment user can act on, what it does and what a 404 means for it (`notFound`).
 */
export interface Operation {
  endpoint: EndpointName
  description: string
  notFound?: string
}

type RetryableStatus = ConstructorParameters<typeof RetryableError>[1]
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  408, 423, 429, 500, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 598, 599
])

/** Segment retries 408, 423, 429 and 5xx other than 501; everything else is final. The one statement of that rule. */
export function isRetryableStatus(status: number): boolean {
  return [408, 423, 429].includes(status) || (status >= 500 && status !== 501)
}

/** The status a RetryableError carries for a retryable HTTP status (503 for one actions-core has no name for). */
export function retryableStatusOf(status: number): RetryableStatus {
  return (RETRYABLE_STATUSES.has(status) ? status : 503) as RetryableStatus
}

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'empty'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

export interface QualtricsErrorBody {
  meta?: { httpStatus?: string; requestId?: string; error?: { errorMessage?: string; errorCode?: string } }
}

/** Qualtrics' reason and request id from an error body, when it has them. */
function describeQualtricsReason(body: unknown): string {
  const meta = (body as QualtricsErrorBody | undefined)?.meta
  const reason = meta?.error?.errorMessage
  const code = meta?.error?.errorCode
  const parts = [
    reason ? `${reason}${code ? ` (${code})` : ''}` : undefined,
    meta?.requestId && `request id ${meta.requestId}`
  ]
  return parts.filter(Boolean).join('; ')
}

/** Maps a Qualtrics answer that is not a success to the actions-core error whose status makes Segment do the right thing. */
export function qualtricsError(status: number, body: unknown, operation: Operation, credential = 'API token'): Error {
  const reason = describeQualtricsReason(body)
  const detail = reason ? `: ${reason}` : ''
  const what = `Qualtrics could not ${operation.description}`
  if (status === 400) return new PayloadValidationError(`${what} (400 Bad Request)${detail}`)
  if (status === 401) {
    return new InvalidAuthenticationError(
      `${what}: the ${credential} is invalid or not for this datacenter (401)${detail}`
    )
  }
  if (status === 403) {
    return new IntegrationError(`${what}: the ${credential} lacks permission for this (403)${detail}`, 'FORBIDDEN', 403)
  }
  if (status === 404) {
    return new IntegrationError(`${what}: ${operation.notFound ?? 'not found'} (404)${detail}`, 'NOT_FOUND', 404)
  }
  if (status === 413) {
    return new IntegrationError(
      `${what}: the request is too large for Qualtrics (413)${detail}`,
      'PAYLOAD_TOO_LARGE',
      413
    )
  }
  if (status === 429) return new RetryableError(`${what}: rate limited by Qualtrics (429)${detail}`, 429)
  if (status >= 300 && status < 400) {
    return new IntegrationError(
      `${what}: Qualtrics answered with a redirect (${status}), which is not followed`,
      'UNEXPECTED_REDIRECT',
      400
    )
  }
  if (RETRYABLE_STATUSES.has(status)) {
    return new RetryableError(`${what}: Qualtrics is unavailable (${status})${detail}`, status as RetryableStatus)
  }
  if (status >= 500 && status !== 501) {
    return new RetryableError(`${what}: Qualtrics is unavailable (${status})${detail}`, 503)
  }
  return new IntegrationError(`${what} (${status})${detail}`, 'QUALTRICS_ERROR', status)
}

/** A 404 on transactions may mean the directory, or a mailing list or contact one of them names: list them all. */
export function transactionsNotFound(directoryId: string, transactions: Record<string, TransactionEntry>): string {
  const entries = Object.values(transactions)
  const distinct = (ids: string[]) => [...new Set(ids)]
  const mailingLists = distinct(entries.map((entry) => entry.mailingListId))
  const contacts = distinct(entries.map((entry) => entry.contactId))
  const name = (kind: string, ids: string[]) =>
    ids.length === 1 ? `${kind} ${ids[0]}` : `one of the ${ids.length} ${kind}s (${ids.slice(0, 3).join(', ')}…)`
  return `directory ${directoryId}, ${name('mailing list', mailingLists)} or ${name('contact', contacts)} was not found`
}

/** The one wording of a timeout: the whole exchange (headers and body) took longer than the client allows. */
export function timeoutError(operation: Operation, timeoutMs: number): RetryableError {
  return new RetryableError(`Qualtrics could not ${operation.description}: no answer within ${timeoutMs} ms`, 504)
}

/** A request that got no answer at all (timeout, reset, refused): the outcome is unknown, so Segment should retry. */
export function noResponseError(error: unknown, operation: Operation, timeoutMs = REQUEST_TIMEOUT_MS): RetryableError {
  if (error instanceof RetryableError) return error
  const name = (error as { name?: string; code?: string })?.name ?? 'Error'
  const code = (error as { code?: string })?.code
  // node-fetch's own FetchError says `body-timeout` / `request-timeout` in its type, not its name.
  const type = (error as { type?: string })?.type
  if (/timeout/i.test(name) || /timeout/i.test(type ?? '') || code === 'ETIMEDOUT' || code === 'REQUESTTIMEOUTERROR') {
    return timeoutError(operation, timeoutMs)
  }
  return new RetryableError(
    `Qualtrics could not ${operation.description}: the connection failed (${code ?? name})`,
    503
  )
}

/** Qualtrics' id for one request (`meta.requestId`), when its answer has one. */
export function requestIdOf(answer: unknown): string | undefined {
  const id = (answer as QualtricsErrorBody | undefined)?.meta?.requestId
  return typeof id === 'string' && id !== '' ? id : undefined
}

/** The request id in the words every message uses, so that Qualtrics support can find the request. */
export function describeRequestId(requestId: string | undefined): string {
  return requestId ? `request id ${requestId}` : 'no request id in the answer'
}

/**
 * The status for a 2xx whose body lacks what the action needs to go on. Qualtrics accepted the request, so a
 * retry could store a second contact or transaction: the status must be final. 422 (the answer's content could not
 * be processed) says that, where 400 would blame the event's data and 5xx would be retried.
 */
export const UNEXPECTED_RESPONSE_STATUS = 422

/** A 2xx whose body lacks what Qualtrics documents and the action cannot do without: final, never a TypeError. */
export function unexpectedResponse(operation: Operation, missing: string, answer?: unknown): IntegrationError {
  const { description } = operation
  const requestId = describeRequestId(requestIdOf(answer))
  return new IntegrationError(
    `Qualtrics answered the request to ${description} without ${missing} (${requestId})`,
    'UNEXPECTED_RESPONSE',
    UNEXPECTED_RESPONSE_STATUS
  )
}

/** The note for a 2xx that lacks something the action can do without: the event succeeds and says what was missing. */
export function missingFromAnswer(operation: Operation, missing: string, answer?: unknown): string {
  const { description } = operation
  const requestId = describeRequestId(requestIdOf(answer))
  return `Qualtrics accepted the request to ${description}, but its answer has no ${missing} (${requestId})`
}

/** What Qualtrics answered, as a batch entry's `body` shows it: objects as they are, anything else as text. */
export type Answer = JSONLikeObject | string

/** Longer answers (an HTML error page from a proxy, say) are cut to this many characters. */
const ANSWER_LIMIT = 4000
const ANSWER = Symbol('qualtricsAnswer')

/** Qualtrics' answer as shown, redacted of the client's secrets and cut when long; undefined when there was none. */
export function redactedAnswer(data: unknown, redactor: Redactor): Answer | undefined {
  if (data === undefined || data === null || data === '') return undefined
  const clean = redactor.value(data)
  const isObject = typeof clean === 'object' && clean !== null && !Array.isArray(clean)
  const text = typeof clean === 'string' ? clean : JSON.stringify(clean)
  if (text.length > ANSWER_LIMIT) return `${text.slice(0, ANSWER_LIMIT)}…`
  return isObject ? (clean as JSONLikeObject) : text
}

/**
 * Marks an error as the outcome of a request Qualtrics was sent, keeping its answer (already redacted; none after a
 * timeout or a dropped connection) out of sight: not enumerable, so it is neither logged nor serialised with the
 * error. A batch reports both, so that Segment attributes the failure to the destination.
 */
export function withAnswer<E extends Error>(error: E, answer: Answer | undefined): E {
  // Configurable, so that the answer can be replaced by a redacted copy where the error is shown (batching.ts).
  Object.defineProperty(error, ANSWER, { value: answer, enumerable: false, configurable: true })
  return error
}

/** True when the error came from a request Qualtrics was sent (see `withAnswer`), not from checks made before. */
export function cameFromQualtrics(error: unknown): boolean {
  return error !== null && typeof error === 'object' && ANSWER in error
}

/** The answer `withAnswer` kept on an error, if any. */
export function answerOf(error: unknown): Answer | undefined {
  return cameFromQualtrics(error) ? (error as { [ANSWER]?: Answer })[ANSWER] : undefined
}
