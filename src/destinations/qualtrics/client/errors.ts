import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import { REQUEST_TIMEOUT_MS } from './local-switches'

/** What went wrong, in words a Segment user can act on: `notFound` names what a 404 means for this call. */
export interface Operation {
  description: string
  notFound?: string
}

type RetryableStatus = ConstructorParameters<typeof RetryableError>[1]
const RETRYABLE_STATUSES = new Set([408, 423, 429, 500, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 598, 599])

/** Segment retries 408, 423, 429 and 5xx other than 501; everything else is final. The one statement of that rule. */
export function isRetryableStatus(status: number): boolean {
  return [408, 423, 429].includes(status) || (status >= 500 && status !== 501)
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
export function qualtricsError(status: number, body: unknown, operation: Operation): Error {
  const reason = describeQualtricsReason(body)
  const detail = reason ? `: ${reason}` : ''
  const what = `Qualtrics could not ${operation.description}`
  if (status === 400) return new PayloadValidationError(`${what} (400 Bad Request)${detail}`)
  if (status === 401) {
    return new InvalidAuthenticationError(`${what}: the API token is invalid or not for this datacenter (401)${detail}`)
  }
  if (status === 403) {
    return new IntegrationError(`${what}: the API token lacks permission for this (403)${detail}`, 'FORBIDDEN', 403)
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

/** A request that got no answer at all (timeout, reset, refused): the outcome is unknown, so Segment should retry. */
export function noResponseError(error: unknown, operation: Operation, timeoutMs = REQUEST_TIMEOUT_MS): RetryableError {
  const name = (error as { name?: string; code?: string })?.name ?? 'Error'
  const code = (error as { code?: string })?.code
  const timedOut = /timeout/i.test(name) || code === 'ETIMEDOUT' || code === 'REQUESTTIMEOUTERROR'
  const why = timedOut ? `no answer within ${timeoutMs} ms` : `the connection failed (${code ?? name})`
  return new RetryableError(`Qualtrics could not ${operation.description}: ${why}`, timedOut ? 504 : 503)
}

/** A 2xx whose body lacks what Qualtrics documents: reported, never dereferenced into a TypeError. */
export function unexpectedResponse(operation: Operation, missing: string): IntegrationError {
  return new IntegrationError(
    `Qualtrics answered the request to ${operation.description} without ${missing}`,
    'UNEXPECTED_RESPONSE',
    502
  )
}
