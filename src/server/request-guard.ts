import type { IncomingMessage } from 'node:http'
import { FORM_CONTENT_TYPE, RESPONSES_ROUTE } from '../sources/qualtrics-responses'

/**
 * Who may talk to the local server. It holds a Qualtrics API token (from the environment, with `npm start`), so a
 * web page the developer happens to open must not be able to drive it: not through DNS rebinding (a foreign name
 * resolving to 127.0.0.1, caught by the Host check), not through a cross-origin request (the Origin check), and not
 * through a "simple" text/plain POST that browsers send without a preflight (the content-type check).
 */

/** The names this server answers to; it listens on 127.0.0.1 only, the other two are how browsers may spell it. */
export const LOCAL_HOSTNAMES = ['127.0.0.1', 'localhost', '[::1]']

/** Segment's hosted Actions Tester, which the monorepo CLI's `serve` lets call a local destination. */
export const ACTIONS_TESTER_ORIGINS = ['https://app.segment.com', 'https://eu1.app.segment.com']

const ALLOWED_METHODS = ['GET', 'POST']
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i

export interface GuardDecision {
  /** Headers for every response to this request: CORS headers when an allowed origin calls. */
  headers: Record<string, string>
  /** Set when the guard answers the request itself (a refusal or a CORS preflight): it is not routed. */
  answer?: { status: number; body?: { error: string } }
}

/** host:port as a browser writes it; for port 80 it may leave the port out. */
function authorities(port: number): string[] {
  return LOCAL_HOSTNAMES.flatMap((host) => (port === 80 ? [host, `${host}:80`] : [`${host}:${port}`]))
}

export function selfOrigins(port: number): string[] {
  return authorities(port).map((authority) => `http://${authority}`)
}

function refuse(status: number, error: string, headers: Record<string, string> = {}): GuardDecision {
  return { headers, answer: { status, body: { error } } }
}

function checkHost(host: string | undefined, port: number): GuardDecision | undefined {
  if (host !== undefined && authorities(port).includes(host.toLowerCase())) return undefined
  return refuse(
    403,
    `Host "${host ?? ''}" is not this server. It answers only requests addressed to ${selfOrigins(port).join(', ')} ` +
      '(so that another name resolving to 127.0.0.1 cannot reach it): use one of those addresses.'
  )
}

function checkOrigin(origin: string, port: number): GuardDecision | undefined {
  const allowed = [...selfOrigins(port), ...ACTIONS_TESTER_ORIGINS]
  if (allowed.includes(origin.toLowerCase())) return undefined
  return refuse(
    403,
    `Requests from the web page at ${origin} are refused: this server holds a Qualtrics API token, so a browser may ` +
      `call it only from ${allowed.join(', ')}. Use one of those pages, or a script or curl (which send no Origin).`
  )
}

function preflight(req: Pick<IncomingMessage, 'headers'>, cors: Record<string, string>): GuardDecision {
  const method = String(req.headers['access-control-request-method']).toUpperCase()
  if (!ALLOWED_METHODS.includes(method)) {
    return refuse(405, `This server takes ${ALLOWED_METHODS.join(' and ')}, not ${method}.`, cors)
  }
  // The origin is one we trust, so the headers it asks for are allowed (as the CLI's `serve` does); content-type is
  // always allowed, since every POST needs it.
  const asked = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => HEADER_NAME.test(name))
  const headers: Record<string, string> = {
    ...cors,
    'access-control-allow-methods': ALLOWED_METHODS.join(', '),
    'access-control-allow-headers': [...new Set(['content-type', ...asked])].join(', '),
    'access-control-max-age': '600',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'
  }
  // Chrome asks a public page (the Actions Tester) for leave to reach a loopback address (Private Network Access).
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true'
  }
  return { headers, answer: { status: 204 } }
}

/** The one exception to JSON: Qualtrics posts its callbacks form-encoded, to this path only (they are HMAC-signed). */
function isQualtricsCallback(url: string | undefined, mediaType: string): boolean {
  const path = (url ?? '').split('?')[0].replace(/\/+$/, '')
  return path === RESPONSES_ROUTE && mediaType === FORM_CONTENT_TYPE
}

function checkContentType(
  contentType: string | undefined,
  cors: Record<string, string>,
  url?: string
): GuardDecision | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (mediaType === 'application/json' || isQualtricsCallback(url, mediaType)) return undefined
  return refuse(
    415,
    `A POST needs "content-type: application/json"${contentType ? `, not "${contentType}"` : ' (none was sent)'}: ` +
      'send the body as JSON with that header.',
    cors
  )
}

/**
 * Checks a request before it is routed: the Host must be this server (127.0.0.1, localhost or [::1] with its own
 * port); an Origin, when present, must be this server or the Actions Tester; a CORS preflight from such an origin is
 * answered here; a POST must be JSON (form-encoded only for POST /qualtrics/responses, Qualtrics' callbacks). Refusals are 403 (host, origin), 405 (preflight for another method) and 415.
 */
export function guardRequest(
  req: Pick<IncomingMessage, 'method' | 'headers'> & { url?: string },
  port: number | undefined
): GuardDecision {
  // No port: the server has stopped listening and the connection is on its way out.
  if (port === undefined) return refuse(503, 'The server is shutting down.')
  const hostRefusal = checkHost(req.headers.host, port)
  if (hostRefusal) return hostRefusal
  const origin = req.headers.origin
  let cors: Record<string, string> = { vary: 'Origin' }
  if (origin !== undefined) {
    const originRefusal = checkOrigin(origin, port)
    if (originRefusal) return originRefusal
    cors = { ...cors, 'access-control-allow-origin': origin }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      return preflight(req, cors)
    }
  }
  if (req.method === 'POST') return checkContentType(req.headers['content-type'], cors, req.url) ?? { headers: cors }
  return { headers: cors }
}
