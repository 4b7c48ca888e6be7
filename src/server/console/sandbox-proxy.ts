import type { IncomingMessage } from 'node:http'
import { BRAND_LIMIT_PER_MINUTE, ENDPOINT_LIMITS_PER_MINUTE } from '../../sandbox'
import { BadRequest, readJsonBody } from '../http-utils'

export interface ProxyAnswer {
  status: number
  body: unknown
}

const SANDBOX_PATHS: Record<string, string> = {
  state: '/__sandbox/state',
  stats: '/__sandbox/stats',
  faults: '/__sandbox/faults'
}

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

/**
 * GET /console/api/sandbox/{state,stats,faults} and PUT …/faults, forwarded to the embedded sandbox: the page may
 * only talk to its own origin (CSP), and the sandbox listens on another port. Without a sandbox (real-Qualtrics
 * mode) every one of them is a 404.
 */
export async function proxySandbox(
  req: IncomingMessage,
  name: string,
  sandboxUrl: string | undefined,
  bodyLimit: number
): Promise<ProxyAnswer> {
  const target = Object.hasOwn(SANDBOX_PATHS, name) ? SANDBOX_PATHS[name] : undefined
  if (!target) throw new BadRequest(404, `No route /console/api/sandbox/${name}: there are state, stats and faults.`)
  if (!sandboxUrl) {
    return { status: 404, body: { error: 'There is no sandbox: this server talks to real Qualtrics.' } }
  }
  const method = req.method ?? 'GET'
  if (method === 'GET') {
    const answer = await forward(sandboxUrl + target)
    return name === 'stats' ? withLimits(sandboxUrl, answer) : answer
  }
  if (method !== 'PUT' || name !== 'faults') {
    throw new BadRequest(405, `/console/api/sandbox/${name} takes ${name === 'faults' ? 'GET and PUT' : 'GET'}.`)
  }
  const mediaType = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
  if (mediaType.toLowerCase() !== 'application/json') {
    throw new BadRequest(415, 'A PUT needs "content-type: application/json": send the fault settings as JSON.')
  }
  const body = JSON.stringify((await readJsonBody(req, bodyLimit)) ?? {})
  return forward(sandboxUrl + target, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })
}
