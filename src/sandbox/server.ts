import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { answeredAtTheDoor, checkAllowedOrigins, INSPECTION_PREFIX, newControlKey } from './access'
import { SandboxClock } from './clock'
import { authenticate } from './authentication'
import { ApiError } from './errors'
import { checkFaultConfig, FaultInjector, type Fault, type FaultConfig } from './faults'
import { errorBody, meta, parseJson, readBody, send } from './http-io'
import { handleInspection } from './inspection'
import { perform } from './operations'
import { OAuthError, oauthErrorBody, tokenRequestOf } from './oauth'
import { MAX_PAGE_SIZE } from './paging'
import { RateLimiter, type Endpoint } from './rate-limits'
import { route } from './routes'
import { DEFAULT_SEED } from './seed'
import type { SandboxSeed } from './seed-types'
import { emptyStats, type SandboxStats } from './stats'
import { SandboxStore } from './store'

/** Qualtrics' documented limits on request bodies: 5 MB for API calls, 100 KB for a JSON Event. */
export const API_BODY_LIMIT_BYTES = 5 * 1024 * 1024
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024
/** A token request is a short form; the sandbox's own cap. */
const TOKEN_BODY_LIMIT_BYTES = 16 * 1024

export interface SandboxOptions {
  /** 0 (the default) picks a free port. The sandbox only ever listens on 127.0.0.1. */
  port?: number
  seed?: SandboxSeed
  /** The sandbox clock's speed: at 60 a minute's rate allowance refills in one second, and the index lag shrinks alike. */
  timeScale?: number
  /** Set false to serve without rate limits (e.g. to measure the destination's own request counts). */
  rateLimits?: boolean
  /** Latency, injected failures, and the index lag (`indexLagMs`). */
  faults?: FaultConfig
  /** Page size for listings when the caller gives none (Qualtrics: up to 100). */
  defaultPageSize?: number
  /**
   * Web origins (`https://tools.example`) that may call the sandbox from a browser besides the sandbox itself; none by
   * default. The console on the main port reaches the sandbox server-side, through its proxy.
   */
  allowedOrigins?: string[]
  log?: (line: string) => void
}

export interface Sandbox {
  url: string
  port: number
  /**
   * Made at each start: the `x-sandbox-key` header that the `/__sandbox` routes changing the sandbox (reset, faults,
   * clock, survey completion) need over HTTP. Only the owner holds it; the methods here need none.
   */
  readonly controlKey: string
  readonly store: SandboxStore
  /** Rate limits and the index lag run on it; `advance` lets sandbox time pass without waiting. */
  readonly clock: SandboxClock
  stats(): SandboxStats
  setFaults(config: FaultConfig): void
  reset(): void
  close(): Promise<void>
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

/** A Qualtrics API v3 look-alike over HTTP on 127.0.0.1. It knows nothing of the destination. */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? DEFAULT_SEED
  const log = options.log ?? (() => undefined)
  const defaultPageSize = options.defaultPageSize ?? MAX_PAGE_SIZE
  const allowedOrigins = checkAllowedOrigins(options.allowedOrigins)
  const controlKey = newControlKey()
  const clock = new SandboxClock(options.timeScale ?? 1)
  const now = () => clock.now()
  let faults = new FaultInjector(options.faults)
  const newStore = () => new SandboxStore(seed, { now, indexLagMs: faults.config.indexLagMs })
  let store = newStore()
  // The clock is already scaled, so the limiter counts sandbox minutes.
  let limiter = new RateLimiter(1, now)
  let stats = emptyStats()

  const count = (endpoint: Endpoint, outcome: string) => {
    const byStatus = (stats.byEndpoint[endpoint] ??= {})
    byStatus[outcome] = (byStatus[outcome] ?? 0) + 1
  }

  /** Rolls the fault dice: a drop closes the connection, a status is thrown; a `timeout` is left to the caller. */
  const rollFault = (req: IncomingMessage, endpoint: Endpoint): Fault | undefined => {
    const fault = faults.pick(endpoint)
    if (fault) stats.faults[fault] += 1
    if (fault === 'drop') {
      count(endpoint, 'dropped')
      req.socket.destroy()
    }
    if (fault === 'status429' || fault === 'status500' || fault === 'status503') {
      const status = Number(fault.slice(6))
      throw new ApiError(status, 'SANDBOX_FAULT', `Injected ${status} for ${endpoint}.`)
    }
    return fault
  }

  /** A `timeout` fault: what was done stays done, but the caller never hears so. */
  const hang = (req: IncomingMessage, endpoint: Endpoint) => {
    count(endpoint, 'timeout')
    const timer = setTimeout(() => req.socket.destroy(), faults.config.timeoutHangMs ?? 30_000)
    req.socket.once('close', () => clearTimeout(timer))
  }

  /** `POST /oauth2/token`: the client-credentials grant, answered in OAuth's shape; not rate limited. */
  const answerTokenRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req, TOKEN_BODY_LIMIT_BYTES)
    const fault = rollFault(req, 'oauth.token')
    if (fault === 'drop') return
    let status = 200
    let reply: unknown
    try {
      reply = store.oauth.issue(tokenRequestOf(req.headers.authorization, body))
      stats.oauth.tokensIssued += 1
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      stats.oauth.tokensRefused[error.code] += 1
      status = error.status
      reply = oauthErrorBody(error)
    }
    if (fault === 'timeout') return hang(req, 'oauth.token')
    count('oauth.token', String(status))
    return send(res, status, fault === 'malformed' && status === 200 ? {} : reply, faults.config.slowBodyMs)
  }

  /** Authentication, the workflow's existence, rate limits, then the fault dice; what passes reaches the store. */
  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => {
    const found = route(req.method ?? 'GET', url.pathname)
    if (found instanceof ApiError) {
      req.resume()
      return send(res, found.status, errorBody(found, requestId))
    }
    const { endpoint } = found
    stats.requests += 1
    const config = faults.config
    if (config.latencyMs) await sleep(config.latencyMs)
    if (endpoint === 'oauth.token') return answerTokenRequest(req, res)
    const isWorkflow = endpoint === 'workflow.trigger'
    const body = parseJson(await readBody(req, isWorkflow ? WORKFLOW_BODY_LIMIT_BYTES : API_BODY_LIMIT_BYTES))

    const caller = authenticate(store, req.headers, endpoint, url, (reason) => (stats.oauth.bearerRefused[reason] += 1))
    stats.callsByAuth[caller.auth] += 1
    if (options.rateLimits !== false && !limiter.tryTake(caller.user.brandId, endpoint)) {
      stats.rateLimited += 1
      throw new ApiError(429, 'SANDBOX_RATE_LIMIT', `Too many requests to ${endpoint}; slow down and retry.`)
    }

    const fault = rollFault(req, endpoint)
    if (fault === 'drop') return
    const origin = `http://${req.headers.host}`
    const [status, performed] = perform(store, { route: found, url, body, origin, caller }, defaultPageSize)
    // A `malformed` fault: done as asked, then answered without the documented fields.
    const responseBody = fault === 'malformed' ? { result: {} } : performed

    if (fault === 'timeout') {
      // Stored, but the caller never hears so: the case that makes delivery at-least-once.
      store.markResponseLost(idsIn(responseBody))
      return hang(req, endpoint)
    }
    // The caller may also have given up on its own (its timeout, a busy machine): what was stored is then as
    // unanswered as under a timeout fault, and is marked so.
    const created = idsIn(responseBody)
    res.once('close', () => {
      if (created.size > 0 && !res.writableFinished) store.markResponseLost(created)
    })
    count(endpoint, String(status))
    return send(res, status, { ...responseBody, meta: meta(status, requestId) }, config.slowBodyMs)
  }

  const sandbox: Sandbox = {
    url: '',
    port: 0,
    controlKey,
    get store() {
      return store
    },
    clock,
    stats: () => stats,
    setFaults(config: FaultConfig) {
      faults = new FaultInjector(checkFaultConfig(config))
      store.indexLagMs = faults.config.indexLagMs ?? 0
    },
    reset() {
      store = newStore()
      limiter = new RateLimiter(1, now)
      stats = emptyStats()
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }

  const server: Server = createServer((req, res) => {
    const requestId = randomUUID()
    // The base only completes the target; the Host is checked at the door before anything reads it.
    const url = URL.canParse(req.url ?? '/', 'http://127.0.0.1')
      ? new URL(req.url ?? '/', 'http://127.0.0.1')
      : undefined
    if (!url) {
      req.resume()
      return void send(res, 400, errorBody(new ApiError(400, 'SANDBOX_BAD_TARGET', 'Not a request target.'), requestId))
    }
    if (answeredAtTheDoor(req, res, url.pathname, { port: sandbox.port, allowedOrigins, controlKey }, requestId)) return
    const handled = url.pathname.startsWith(INSPECTION_PREFIX)
      ? handleInspection(req, res, url.pathname, { ...sandbox, store, faults: () => faults.config })
      : handleApi(req, res, url, requestId)
    handled.catch((error: unknown) => {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(500, 'SANDBOX_INTERNAL', 'The sandbox failed to handle the request.')
      if (!(error instanceof ApiError)) log(`sandbox error: ${(error as Error).stack ?? String(error)}`)
      const found = route(req.method ?? 'GET', url.pathname)
      if (!(found instanceof ApiError)) count(found.endpoint, String(apiError.status))
      if (!req.complete) req.resume()
      if (!res.headersSent) void send(res, apiError.status, errorBody(apiError, requestId))
    })
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      sandbox.port = port
      sandbox.url = `http://127.0.0.1:${port}`
      resolve(sandbox)
    })
  })
}
