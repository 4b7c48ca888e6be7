import type { IncomingMessage } from 'node:http'
import { checkLoopbackRequest, JSON_MEDIA_TYPE } from '../../sandbox/loopback-guard'
import type { GuardDecision } from '../../sandbox/loopback-guard'
import { FORM_CONTENT_TYPE, RESPONSES_ROUTE } from '../../sources/qualtrics-responses'

/**
 * Who may talk to the local server. It holds a Qualtrics API token (from the environment, with `npm start`), so a
 * web page the developer happens to open must not be able to drive it. The rules (Host, Origin, content type) are the
 * ones the sandbox's listener applies too, written once in src/sandbox/loopback-guard.ts; this file says what they
 * are for this server: which other origins may call, and which bodies it takes.
 */

export { LOCAL_HOSTNAMES, selfOrigins } from '../../sandbox/loopback-guard'
export type { GuardDecision } from '../../sandbox/loopback-guard'

/** Segment's hosted Actions Tester, which the monorepo CLI's `serve` lets call a local destination. */
export const ACTIONS_TESTER_ORIGINS = ['https://app.segment.com', 'https://eu1.app.segment.com']

const ALLOWED_METHODS = ['GET', 'POST']
/** Segment's browser library posts its JSON as text/plain (a "simple" type it still sends with Basic auth). */
const TEXT_MEDIA_TYPE = 'text/plain'
/** The tracking API: the one place pages on the developer's own origins (LOCAL_SDK_ORIGINS) may reach. */
const isTrackingPath = (path: string) => path.startsWith('/v1/')

/**
 * The exceptions to JSON, each on one path only: Qualtrics posts its callbacks form-encoded (they are HMAC-signed),
 * and Segment's browser library posts to the tracking API as text/plain.
 */
function postBodyTypes(path: string): string[] {
  if (path === RESPONSES_ROUTE) return [JSON_MEDIA_TYPE, FORM_CONTENT_TYPE]
  if (isTrackingPath(path)) return [JSON_MEDIA_TYPE, TEXT_MEDIA_TYPE]
  return [JSON_MEDIA_TYPE]
}

/**
 * Checks a request before it is routed: the Host must be this server (127.0.0.1, localhost or [::1] with its own
 * port); an Origin, when present, must be this server or the Actions Tester, or for the tracking API (/v1/*) one of
 * `sdkOrigins` (a page with a browser SDK); a CORS preflight from such an origin is answered here; a POST must be
 * JSON (form-encoded only for POST /qualtrics/responses, Qualtrics' callbacks; text/plain JSON only for /v1/*).
 * Refusals are 403 (host, origin), 405 (preflight for another method) and 415.
 */
export function guardRequest(
  req: Pick<IncomingMessage, 'method' | 'headers'> & { url?: string },
  port: number | undefined,
  sdkOrigins: readonly string[] = []
): GuardDecision {
  // No port: the server has stopped listening and the connection is on its way out.
  if (port === undefined)
    return { headers: {}, answer: { status: 503, body: { error: 'The server is shutting down.' } } }
  const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '')
  return checkLoopbackRequest(req, {
    port,
    otherOrigins: isTrackingPath(path) ? [...ACTIONS_TESTER_ORIGINS, ...sdkOrigins] : ACTIONS_TESTER_ORIGINS,
    originReason: 'this server holds a Qualtrics API token',
    methods: ALLOWED_METHODS,
    body:
      req.method === 'POST'
        ? { types: postBodyTypes(path), subject: 'A POST', advice: 'send the body as JSON with that header' }
        : undefined
  })
}
