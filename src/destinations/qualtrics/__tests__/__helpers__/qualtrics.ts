// Every test that uses these helpers gets the harness: undeclared requests and unsent declared ones fail it.
import './harness'
import nock from 'nock'

export const API_TOKEN = 'qtok-SECRET-0123456789abcdef'
export const settings = { apiToken: API_TOKEN, datacenter: 'iad1' }
export const API = 'https://iad1.qualtrics.com'
export const DIRECTORY = 'POOL_abc123'
export const MAILING_LIST = 'CG_list123'

/** A nock scope for the Qualtrics API that only matches when the token header is sent. */
export function qualtrics(): nock.Scope {
  return nock(API, { reqheaders: { 'x-api-token': API_TOKEN } })
}

export function ok(result: unknown) {
  return { result, meta: { httpStatus: '200 - OK', requestId: 'req-ok' } }
}

export function qualtricsError(status: number, errorMessage: string, errorCode = 'ERR') {
  return { meta: { httpStatus: `${status} - Error`, requestId: `req-${status}`, error: { errorMessage, errorCode } } }
}

/** An error status the client maps, with what the resulting error must carry. */
export interface ErrorStatusRow {
  status: number
  expected: { status: number }
  retryable: boolean
  text: RegExp
}

/** One row per error status the client maps. */
export const ERROR_STATUSES: ErrorStatusRow[] = [
  {
    status: 400,
    expected: { status: 400 },
    retryable: false,
    text: /400 Bad Request.*bad thing \(ERR\); request id req-400/
  },
  { status: 401, expected: { status: 401 }, retryable: false, text: /token is invalid/ },
  { status: 403, expected: { status: 403 }, retryable: false, text: /lacks permission/ },
  { status: 404, expected: { status: 404 }, retryable: false, text: /not found/ },
  { status: 413, expected: { status: 413 }, retryable: false, text: /too large/ },
  { status: 429, expected: { status: 429 }, retryable: true, text: /rate limited/ },
  { status: 500, expected: { status: 500 }, retryable: true, text: /unavailable \(500\)/ },
  { status: 503, expected: { status: 503 }, retryable: true, text: /unavailable \(503\)/ }
]

/** Segment retries 408, 423, 429 and 5xx other than 501. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status !== undefined && ([408, 423, 429].includes(status) || (status >= 500 && status !== 501))
}
