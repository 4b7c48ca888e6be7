import type { ModifiedResponse, SegmentEvent } from '@segment/actions-core'
import { isRetryableStatus, REDACTED } from '../destinations/qualtrics'
import type { LoggedExchange } from './delivery-log'
import { BadRequest, isPlainObject } from './http-utils'

/** One event's outcome, in the shape of Segment's multistatus entries, plus whether Segment would retry it. */
export interface EventResult {
  status: number
  retryable: boolean
  body?: unknown
  errortype?: string
  errormessage?: string
}

export function errorResult(error: unknown): EventResult {
  const e = error as { status?: number; code?: string; name?: string; message?: string }
  // Schema validation errors from actions-core carry no status: they are bad input.
  const status = e.status ?? (e.name === 'AggregateAjvError' || e.name === 'ValidationError' ? 400 : 500)
  return {
    status,
    retryable: isRetryableStatus(status),
    errortype: e.code ?? e.name ?? 'UNKNOWN_ERROR',
    errormessage: e.message ?? String(error)
  }
}

export function multistatusResult(node: Record<string, unknown>): EventResult {
  const status = Number(node.status ?? 500)
  if (status >= 200 && status < 300) return { status, retryable: false, body: node.body }
  return {
    status,
    retryable: isRetryableStatus(status),
    errortype: node.errortype as string | undefined,
    errormessage: node.errormessage as string | undefined
  }
}

const CREDENTIAL_HEADERS = ['x-api-token', 'authorization']

/**
 * The secrets one exchange carries itself: its credential headers (whole, without their scheme, and a Basic
 * password decoded) and an access token the token endpoint issued in it. They are secrets of the request that made
 * the exchange, whichever customer's settings it used, and only of that request.
 */
function credentialsOf(headers: Headers | undefined, answer: unknown): string[] {
  const found: string[] = []
  for (const name of CREDENTIAL_HEADERS) {
    const value = headers?.get(name)?.trim()
    if (!value) continue
    const [scheme, credential = ''] = value.split(/\s+/, 2)
    found.push(value, credential)
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8')
      found.push(decoded, decoded.slice(decoded.indexOf(':') + 1))
    }
  }
  const issued = (answer as { access_token?: unknown } | null | undefined)?.access_token
  if (typeof issued === 'string') found.push(issued)
  return found.filter((secret) => secret !== '')
}

/**
 * The Qualtrics exchanges a call made, with credential headers replaced. Each exchange's own credentials are added to
 * `secrets`, the request's list, so that the exchanges (an echoed token in a body too) and everything else the
 * request shows are redacted of them (`redactExchanges`, and the server's answer).
 */
export function summarizeRequests(responses: ModifiedResponse[], secrets: string[]): LoggedExchange[] {
  return responses.map((response) => {
    const r = response as ModifiedResponse & { request?: Request; options?: { json?: unknown; body?: unknown } }
    secrets.push(...credentialsOf(r.request?.headers, r.data))
    const headers: Record<string, string> = {}
    r.request?.headers.forEach((value, name) => {
      headers[name] = CREDENTIAL_HEADERS.includes(name) ? REDACTED : value
    })
    let body: unknown = r.options?.json
    if (body === undefined && typeof r.options?.body === 'string') {
      try {
        body = JSON.parse(r.options.body)
      } catch {
        body = r.options.body
      }
    }
    return {
      request: { method: r.request?.method, url: r.request?.url, headers, body },
      response: { status: r.status, body: r.data }
    }
  })
}

/** The events of a POST /events body: one event, an array of them, or {"batch": [...]}. */
export function asEvents(body: unknown): SegmentEvent[] {
  const list = isPlainObject(body) && Array.isArray(body.batch) ? body.batch : Array.isArray(body) ? body : [body]
  if (list.length === 0)
    throw new BadRequest(400, 'No events: send one Segment event, an array of them, or {"batch": [...]}.')
  list.forEach((event, i) => {
    if (!isPlainObject(event) || typeof event.type !== 'string') {
      throw new BadRequest(400, `Event ${i} is not a Segment event: it needs a "type" (identify, track, …).`)
    }
  })
  return list as SegmentEvent[]
}
