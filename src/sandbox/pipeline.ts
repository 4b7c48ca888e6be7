import type { IncomingMessage, ServerResponse } from 'node:http'
import { authenticate } from './authentication'
import type { Answer, ApiRow, TokenRow } from './call'
import type { Endpoint } from './endpoints'
import { ApiError } from './errors'
import type { Fault, FaultInjector } from './faults'
import { errorBody, meta, parseJson, readBody, send } from './http-io'
import type { RateLimiter } from './rate-limits'
import { OTHER_QUALTRICS_ORIGIN } from './readings'
import type { Readings } from './readings'
import { route } from './routes'
import type { Route } from './routes'
import type { SandboxStats } from './stats'
import type { SandboxStore } from './store'

/** Qualtrics' documented limits on request bodies: 5 MB for API calls, 100 KB for a JSON Event. */
export const API_BODY_LIMIT_BYTES = 5 * 1024 * 1024
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024
/** A token request is a short form; the sandbox's own cap. */
const TOKEN_BODY_LIMIT_BYTES = 16 * 1024

/** What one running sandbox holds; a reset replaces the store, the limiter and the counters. */
export interface SandboxState {
  store: SandboxStore
  limiter: RateLimiter
  stats: SandboxStats
  faults: FaultInjector
  readonly readings: Readings
  readonly rateLimits: boolean
  readonly defaultPageSize: number
  /** Where an unexpected failure's stack goes (nowhere by default). */
  readonly log: (line: string) => void
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The ids of what a response reports as created (transactions, a workflow run). */
function idsIn(body: Record<string, unknown>): Set<string> {
  const result = (body.result ?? {}) as {
    id?: unknown
    runId?: string
    createdTransactions?: Record<string, { id: string }>
  }
  return new Set([
    ...(result.runId ? [result.runId] : []),
    // A created import job or transaction batch (a contact's id too, which nothing marks).
    ...(typeof result.id === 'string' ? [result.id] : []),
    ...Object.values(result.createdTransactions ?? {}).map((created) => created.id)
  ])
}

function count(state: SandboxState, endpoint: Endpoint, outcome: string): void {
  const byStatus = (state.stats.byEndpoint[endpoint] ??= {})
  byStatus[outcome] = (byStatus[outcome] ?? 0) + 1
}

/** Rolls the fault dice: a drop closes the connection, a status is thrown; a `timeout` is left to the caller. */
function rollFault(state: SandboxState, req: IncomingMessage, endpoint: Endpoint): Fault | undefined {
  const fault = state.faults.pick(endpoint)
  if (fault) state.stats.faults[fault] += 1
  if (fault === 'drop') {
    count(state, endpoint, 'dropped')
    req.socket.destroy()
  }
  if (fault === 'status429' || fault === 'status500' || fault === 'status503') {
    const status = Number(fault.slice(6))
    throw new ApiError(status, 'SANDBOX_FAULT', `Injected ${status} for ${endpoint}.`)
  }
  return fault
}

/** A `timeout` fault: what was done stays done, but the caller never hears so. */
function hang(state: SandboxState, req: IncomingMessage, endpoint: Endpoint): void {
  count(state, endpoint, 'timeout')
  const timer = setTimeout(() => req.socket.destroy(), state.faults.config.timeoutHangMs ?? 30_000)
  req.socket.once('close', () => clearTimeout(timer))
}

/** `POST /oauth2/token`: the form, the fault dice, then the grant; not rate limited. */
async function answerTokenRequest(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  row: TokenRow & { name: Endpoint }
) {
  const body = await readBody(req, TOKEN_BODY_LIMIT_BYTES)
  const fault = rollFault(state, req, row.name)
  if (fault === 'drop') return
  const [status, reply] = row.handle({ store: state.store, authorization: req.headers.authorization, body })
  const { oauth } = state.stats
  if (status === 200) oauth.tokensIssued += 1
  else oauth.tokensRefused[reply.error as keyof typeof oauth.tokensRefused] += 1
  if (fault === 'timeout') return hang(state, req, 'oauth.token')
  count(state, 'oauth.token', String(status))
  return send(res, status, fault === 'malformed' && status === 200 ? {} : reply, state.faults.config.slowBodyMs)
}

/** Authentication, rate limits, then the fault dice; what passes reaches the row's handler. */
async function answerApiCall(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  { url, requestId, found }: { url: URL; requestId: string; found: Route & { endpoint: ApiRow & { name: Endpoint } } }
) {
  const row = found.endpoint
  const endpoint = row.name
  const limit = row.access === 'jsonEvent' ? WORKFLOW_BODY_LIMIT_BYTES : API_BODY_LIMIT_BYTES
  const body = parseJson(await readBody(req, limit))
  const { stats, store } = state
  const caller = authenticate(store, req.headers, row, url, (reason) => (stats.oauth.bearerRefused[reason] += 1))
  stats.callsByAuth[caller.auth] += 1
  if (state.rateLimits && !state.limiter.tryTake(caller.user.brandId, endpoint)) {
    stats.rateLimited += 1
    throw new ApiError(429, 'SANDBOX_RATE_LIMIT', `Too many requests to ${endpoint}; slow down and retry.`)
  }

  const fault = rollFault(state, req, endpoint)
  if (fault === 'drop') return
  const origin = `http://${req.headers.host}`
  // Import jobs move on with the clock: whatever is asked sees the records processed by now.
  store.imports.advance()
  const { readings, defaultPageSize: pageSize } = state
  const nextPageOrigin = readings.nextPageHost === 'otherQualtricsHost' ? OTHER_QUALTRICS_ORIGIN : origin
  const call = { store, params: found.params, url, body, caller, origin, nextPageOrigin, pageSize, readings }
  const [status, performed]: Answer = row.handle(call)
  // A `malformed` fault: done as asked, then answered without the documented fields.
  const responseBody = fault === 'malformed' ? { result: {} } : performed

  if (fault === 'timeout') {
    // Stored, but the caller never hears so: the case that makes delivery at-least-once.
    store.markResponseLost(idsIn(responseBody))
    return hang(state, req, endpoint)
  }
  // The caller may also have given up on its own (its timeout, a busy machine): what was stored is then as
  // unanswered as under a timeout fault, and is marked so.
  const created = idsIn(responseBody)
  res.once('close', () => {
    if (created.size > 0 && !res.writableFinished) store.markResponseLost(created)
  })
  count(state, endpoint, String(status))
  return send(res, status, { ...responseBody, meta: meta(status, requestId) }, state.faults.config.slowBodyMs)
}

/** One request to the API, a JSON Event or the token endpoint, from routing to the answer. */
export async function answerEndpoint(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string
): Promise<void> {
  const found = route(req.method ?? 'GET', url.pathname)
  if (found instanceof ApiError) {
    req.resume()
    return send(res, found.status, errorBody(found, requestId))
  }
  state.stats.requests += 1
  const { latencyMs } = state.faults.config
  if (latencyMs) await sleep(latencyMs)
  const row = found.endpoint
  if (row.access === 'tokenGrant') return answerTokenRequest(state, req, res, row)
  return answerApiCall(state, req, res, { url, requestId, found: { ...found, endpoint: row } })
}

/** A request that failed: counted against its endpoint and answered in Qualtrics' error shape (unless answered). */
export function answerFailure(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  { error, requestId }: { error: unknown; requestId: string }
): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(500, 'SANDBOX_INTERNAL', 'The sandbox failed to handle the request.')
  if (!(error instanceof ApiError)) state.log(`sandbox error: ${(error as Error).stack ?? String(error)}`)
  const found = route(req.method ?? 'GET', url.pathname)
  if (!(found instanceof ApiError)) count(state, found.endpoint.name, String(apiError.status))
  if (!req.complete) req.resume()
  if (!res.headersSent) void send(res, apiError.status, errorBody(apiError, requestId))
}
