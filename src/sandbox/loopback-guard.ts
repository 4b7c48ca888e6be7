import type { IncomingHttpHeaders } from 'node:http'

/**
 * The request rules of both local listeners: the server on port 3000 (src/server/http/request-guard.ts) and the sandbox
 * on 3001 (./access.ts). A web page the developer happens to open must drive neither: not through DNS rebinding (a
 * foreign name resolving to 127.0.0.1, caught by the Host check), not through a cross-origin request (the Origin
 * check), and not through a "simple" text/plain POST that browsers send without a preflight (the content-type check).
 *
 * They live in the sandbox's folder because the sandbox may import only Node and its own files, while the server may
 * import the sandbox: this is the one place both can reach, so each rule is written once.
 */

/** The names a local listener answers to; it listens on 127.0.0.1 only, the other two are how browsers may spell it. */
export const LOCAL_HOSTNAMES = ['127.0.0.1', 'localhost', '[::1]']
export const JSON_MEDIA_TYPE = 'application/json'
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded'

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i

export interface GuardDecision {
  /** Headers for every response to this request: CORS headers when an allowed origin calls. */
  headers: Record<string, string>
  /** Set when the guard answers the request itself (a refusal or a CORS preflight): it is not routed. */
  answer?: { status: number; body?: { error: string } }
}

/** The content type a request's body must have, and how a refusal says so. */
export interface BodyRule {
  /** Accepted media types; the first is the one a refusal names. */
  types: readonly string[]
  /** The request, as the refusal names it: "A POST". */
  subject: string
  /** What to do instead: "send the body as JSON with that header". */
  advice: string
}

export interface LoopbackPolicy {
  /** The listener's own port: the Host must name it, and its own origins may call. */
  port: number
  /** Origins a browser may call from besides the listener's own. */
  otherOrigins: readonly string[]
  /** Why a foreign page may not call, for the refusal: "this server holds a Qualtrics API token". */
  originReason: string
  /** The methods a CORS preflight may ask for. */
  methods: readonly string[]
  /** The rule for this request's body, or none when its body is not checked (a GET). */
  body?: BodyRule
}

/** host:port as a browser writes it; for port 80 it may leave the port out. */
function authorities(port: number): string[] {
  return LOCAL_HOSTNAMES.flatMap((host) => (port === 80 ? [host, `${host}:80`] : [`${host}:${port}`]))
}

export function selfOrigins(port: number): string[] {
  return authorities(port).map((authority) => `http://${authority}`)
}

/** `text/plain; charset=UTF-8` → `text/plain`. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

/** "GET and POST", "GET, POST and PUT". */
function listed(words: readonly string[]): string {
  return words.length <= 2 ? words.join(' and ') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
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

function checkOrigin(origin: string, policy: LoopbackPolicy): GuardDecision | undefined {
  const allowed = [...selfOrigins(policy.port), ...policy.otherOrigins]
  if (allowed.includes(origin.toLowerCase())) return undefined
  return refuse(
    403,
    `Requests from the web page at ${origin} are refused: ${policy.originReason}, so a browser may ` +
      `call it only from ${allowed.join(', ')}. Use one of those pages, or a script or curl (which send no Origin).`
  )
}

function preflight(headers: IncomingHttpHeaders, cors: Record<string, string>, methods: readonly string[]) {
  const method = String(headers['access-control-request-method']).toUpperCase()
  if (!methods.includes(method)) return refuse(405, `This server takes ${listed(methods)}, not ${method}.`, cors)
  // The origin is one we trust, so the headers it asks for are allowed (as the CLI's `serve` does); content-type is
  // always allowed, since every body needs it.
  const asked = String(headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => HEADER_NAME.test(name))
  const answerHeaders: Record<string, string> = {
    ...cors,
    'access-control-allow-methods': methods.join(', '),
    'access-control-allow-headers': [...new Set(['content-type', ...asked])].join(', '),
    'access-control-max-age': '600',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'
  }
  // Chrome asks a public page (the Actions Tester) for leave to reach a loopback address (Private Network Access).
  if (headers['access-control-request-private-network'] === 'true') {
    answerHeaders['access-control-allow-private-network'] = 'true'
  }
  return { headers: answerHeaders, answer: { status: 204 } }
}

function checkContentType(contentType: string | undefined, rule: BodyRule, cors: Record<string, string>) {
  if (rule.types.includes(mediaTypeOf(contentType))) return undefined
  return refuse(
    415,
    `${rule.subject} needs "content-type: ${rule.types[0]}"${contentType ? `, not "${contentType}"` : ' (none was sent)'}: ` +
      `${rule.advice}.`,
    cors
  )
}

/**
 * Checks a request before it is routed: the Host must be this listener (127.0.0.1, localhost or [::1] with its own
 * port); an Origin, when present, must be the listener itself or one of `otherOrigins`; a CORS preflight from such an
 * origin is answered here; a body the policy checks must have one of its types. Refusals are 403 (host, origin), 405
 * (a preflight for another method) and 415 (content type), each saying why.
 */
export function checkLoopbackRequest(
  req: { method?: string; headers: IncomingHttpHeaders },
  policy: LoopbackPolicy
): GuardDecision {
  const hostRefusal = checkHost(req.headers.host, policy.port)
  if (hostRefusal) return hostRefusal
  const origin = req.headers.origin
  let cors: Record<string, string> = { vary: 'Origin' }
  if (origin !== undefined) {
    const originRefusal = checkOrigin(origin, policy)
    if (originRefusal) return originRefusal
    cors = { ...cors, 'access-control-allow-origin': origin }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      return preflight(req.headers, cors, policy.methods)
    }
  }
  if (policy.body) return checkContentType(req.headers['content-type'], policy.body, cors) ?? { headers: cors }
  return { headers: cors }
}
