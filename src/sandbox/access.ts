import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { ApiError } from './errors'
import { errorBody, send } from './http-io'
import { checkLoopbackRequest, FORM_MEDIA_TYPE, JSON_MEDIA_TYPE } from './loopback-guard'
import type { GuardDecision } from './loopback-guard'
import { route } from './routes'

/**
 * Who may call the sandbox. It holds what the developer's app sent (emails, transactions) and, through its callbacks,
 * can make the responses receiver send a forged track to Segment with the real write key, so a web page must neither
 * read nor change it. Every route takes the main port's Host and Origin rules (./loopback-guard.ts) and JSON bodies; the routes that
 * change the sandbox outside the Qualtrics API (`/__sandbox/*` but reads) also need the key made at each start,
 * which only the sandbox's owner holds (`npm start`'s console proxy, `npm run sandbox`'s terminal, a test).
 */

/** The header that carries the per-start key to a control route. */
export const SANDBOX_KEY_HEADER = 'x-sandbox-key'

/** Every method a sandbox route takes, offered to an allow-listed origin's preflight. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE']

export const INSPECTION_PREFIX = '/__sandbox'

/** 24 random bytes, URL-safe: a key no page can guess, new at every start. */
export function newControlKey(): string {
  return randomBytes(24).toString('base64url')
}

/** Whether a request carries a body (a length above 0, or chunks): only a body has a content type to check. */
function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return (length !== undefined && Number(length) !== 0) || headers['transfer-encoding'] !== undefined
}

/** JSON, except where Qualtrics takes something else: its OAuth token endpoint takes a form. */
function bodyTypes(method: string, pathname: string): string[] {
  const found = route(method, pathname)
  return !(found instanceof ApiError) && found.endpoint.access === 'tokenGrant' ? [FORM_MEDIA_TYPE] : [JSON_MEDIA_TYPE]
}

/** A browser origin as it sends one (`https://tools.example`); anything else is a mistake in the options. */
export function checkAllowedOrigins(origins: readonly string[] = []): string[] {
  return origins.map((origin) => {
    const parsed = URL.canParse(origin) ? new URL(origin) : undefined
    if (!parsed || parsed.origin === 'null' || parsed.origin !== origin.toLowerCase().replace(/\/$/, '')) {
      throw new Error(`allowedOrigins: "${origin}" is not an origin such as https://tools.example (no path).`)
    }
    return parsed.origin
  })
}

/** The main port's rules for the sandbox's port: its own Host, its own (or an allow-listed) Origin, JSON bodies. */
export function guardSandboxRequest(
  req: { method?: string; headers: IncomingHttpHeaders },
  pathname: string,
  port: number,
  allowedOrigins: readonly string[]
): GuardDecision {
  const method = req.method ?? 'GET'
  const types = bodyTypes(method, pathname)
  return checkLoopbackRequest(req, {
    port,
    otherOrigins: allowedOrigins,
    originReason: 'the sandbox holds what your app sent it',
    methods: METHODS,
    body: hasBody(req.headers)
      ? {
          types,
          subject: 'A request body',
          advice: types[0] === JSON_MEDIA_TYPE ? 'send the body as JSON with that header' : 'send a form'
        }
      : undefined
  })
}

/** A `/__sandbox` route that changes something: anything but a read. */
export function isControlRequest(method: string | undefined, pathname: string): boolean {
  return pathname.startsWith(INSPECTION_PREFIX) && method !== 'GET' && method !== 'HEAD'
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Why a control request is refused (no key, or another one), or undefined when it carries this sandbox's key. */
export function controlKeyRefusal(headers: IncomingHttpHeaders, key: string): string | undefined {
  const given = headers[SANDBOX_KEY_HEADER]
  // Digests have one length, so the comparison takes the same time whatever was sent.
  if (typeof given === 'string' && timingSafeEqual(digest(given), digest(key))) return undefined
  return (
    `This route changes the sandbox: it needs the header "${SANDBOX_KEY_HEADER}" with the key made when this ` +
    `sandbox started (${given === undefined ? 'none was sent' : 'that is not it'}). npm run sandbox prints it; with ` +
    'npm start, use the console routes /console/api/sandbox/* on the main port instead, which hold it.'
  )
}

/** The Qualtrics-shaped error code of each refusal, for the API routes. */
const REFUSAL_CODES: Record<number, string> = {
  403: 'SANDBOX_REQUEST_REFUSED',
  405: 'SANDBOX_METHOD',
  415: 'SANDBOX_UNSUPPORTED_MEDIA_TYPE'
}

export interface AccessRules {
  port: number
  allowedOrigins: readonly string[]
  controlKey: string
}

/**
 * Applies the guard and the key before a request is routed. Answers a refusal (`{error}` on `/__sandbox` routes,
 * Qualtrics' error shape on the API, so a client reads it as it reads any Qualtrics error) or a CORS preflight, and
 * returns true; returns false when the request may be routed, with its CORS headers already set.
 */
export function answeredAtTheDoor(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  rules: AccessRules,
  requestId: string
): boolean {
  const decision = guardSandboxRequest(req, pathname, rules.port, rules.allowedOrigins)
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value)
  let answer = decision.answer
  if (!answer && isControlRequest(req.method, pathname)) {
    const reason = controlKeyRefusal(req.headers, rules.controlKey)
    if (reason) answer = { status: 403, body: { error: reason } }
  }
  if (!answer) return false
  req.resume()
  if (!answer.body) {
    res.writeHead(answer.status).end()
  } else if (pathname.startsWith(INSPECTION_PREFIX)) {
    void send(res, answer.status, answer.body)
  } else {
    const error = new ApiError(
      answer.status,
      REFUSAL_CODES[answer.status] ?? 'SANDBOX_REQUEST_REFUSED',
      answer.body.error
    )
    void send(res, answer.status, errorBody(error, requestId))
  }
  return true
}
