import type { IncomingMessage } from 'node:http'
import { BRAND_LIMIT_PER_MINUTE, ENDPOINT_LIMITS_PER_MINUTE, SANDBOX_KEY_HEADER } from '../../sandbox'
import type { SandboxTarget } from '../context'
import { BadRequest, readJsonBody } from '../http/body'

export interface ProxyAnswer {
  status: number
  body: unknown
}

/** Where the console's sandbox routes start: /console/api/sandbox/{name}. */
export const SANDBOX_PROXY_PREFIX = '/console/api/sandbox/'

/**
 * The sandbox routes the console offers, under /console/api/sandbox/ as under /__sandbox/, with their methods: reads,
 * and the controls (faults, clock, reset, completing or deleting a survey response).
 */
const ROUTES: [RegExp, string[]][] = [
  [/^state$/, ['GET']],
  [/^stats$/, ['GET']],
  [/^faults$/, ['GET', 'PUT']],
  [/^clock$/, ['GET', 'POST']],
  [/^reset$/, ['POST']],
  [/^surveys\/[\w-]+\/responses$/, ['POST']],
  [/^surveys\/[\w-]+\/responses\/[\w-]+$/, ['DELETE']]
]
const ROUTE_LIST = 'state, stats, faults, clock, reset, surveys/{SV}/responses and surveys/{SV}/responses/{R}'

async function forward(url: string, init?: RequestInit): Promise<ProxyAnswer> {
  let response: Response
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  } catch (error) {
    return { status: 502, body: { error: `The sandbox did not answer: ${(error as Error).message}` } }
  }
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) }
  } catch {
    return { status: 502, body: { error: `The sandbox answered ${response.status} with a body that is not JSON.` } }
  }
}

/** The sandbox's rate limits and clock speed, which its stats do not carry, so the page can show them. */
async function withLimits(sandboxUrl: string, stats: ProxyAnswer): Promise<ProxyAnswer> {
  if (stats.status !== 200) return stats
  const clock = await forward(`${sandboxUrl}/__sandbox/clock`)
  const limits = { brandPerMinute: BRAND_LIMIT_PER_MINUTE, endpointPerMinute: ENDPOINT_LIMITS_PER_MINUTE }
  return { status: 200, body: { ...(stats.body as object), limits, clock: clock.body } }
}

/** A control request's JSON body, sent on as JSON; none when the request has none (a reset). */
async function bodyToForward(req: IncomingMessage, bodyLimit: number): Promise<string | undefined> {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined
  const mediaType = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase()
  if (hasBody && mediaType !== 'application/json') {
    throw new BadRequest(415, `A ${req.method} needs "content-type: application/json": send the body as JSON.`)
  }
  const body = await readJsonBody(req, bodyLimit)
  return body === undefined ? undefined : JSON.stringify(body)
}

/**
 * /console/api/sandbox/{name}, forwarded to the embedded sandbox: the page may only talk to its own origin (CSP),
 * and the sandbox listens on another port. Reads are forwarded as they are; anything else carries the sandbox's
 * per-start key, added here, server-side, behind the main port's request guard, so neither the page nor a script
 * (examples/responses-round-trip.sh) needs to know it. Without a sandbox (real-Qualtrics mode) every route is a 404.
 */
export async function proxySandbox(
  req: IncomingMessage,
  name: string,
  sandbox: SandboxTarget | undefined,
  bodyLimit: number
): Promise<ProxyAnswer> {
  const methods = ROUTES.find(([pattern]) => pattern.test(name))?.[1]
  if (!methods) throw new BadRequest(404, `No route /console/api/sandbox/${name}: there are ${ROUTE_LIST}.`)
  if (!sandbox) {
    return { status: 404, body: { error: 'There is no sandbox: this server talks to real Qualtrics.' } }
  }
  const target = `${sandbox.url}/__sandbox/${name}`
  const method = req.method ?? 'GET'
  if (!methods.includes(method)) {
    throw new BadRequest(405, `/console/api/sandbox/${name} takes ${methods.join(' and ')}, not ${method}.`)
  }
  if (method === 'GET') {
    const answer = await forward(target)
    return name === 'stats' ? withLimits(sandbox.url, answer) : answer
  }
  const body = await bodyToForward(req, bodyLimit)
  const headers: Record<string, string> = { [SANDBOX_KEY_HEADER]: sandbox.key }
  if (body !== undefined) headers['content-type'] = 'application/json'
  return forward(target, { method, headers, body })
}
