import type { ModifiedResponse } from '@segment/actions-core'
import { REDACTED } from '../../destinations/qualtrics'
import type { Redactor } from '../../destinations/qualtrics'
import type { LoggedExchange } from '../delivery-log'

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
 * The Qualtrics exchanges a run made (actions-core records them on the Destination), with credential headers
 * replaced. Each exchange's own credentials are added to the run's redactor, so that the exchanges (an echoed token
 * in a body too) and everything else the request shows are redacted of them.
 */
export function exchangesOf(responses: ModifiedResponse[], redactor: Redactor): LoggedExchange[] {
  return responses.map((response) => {
    const r = response as ModifiedResponse & { request?: Request; options?: { json?: unknown; body?: unknown } }
    redactor.add(...credentialsOf(r.request?.headers, r.data))
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
