import { randomUUID } from 'node:crypto'
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkFaultConfig, FaultInjector, type Fault, type FaultConfig } from './faults'
import { RateLimiter, type Endpoint } from './rate-limits'
import { DEFAULT_SEED, type SandboxSeed, type SeedUser } from './seed'
import { ApiError, SandboxStore, SEARCH_RESULT_LIMIT, type ContactFilter, type WorkflowRun } from './store'

/** Qualtrics' documented limits on request bodies: 5 MB for API calls, 100 KB for a JSON Event. */
export const API_BODY_LIMIT_BYTES = 5 * 1024 * 1024
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024
const MAX_PAGE_SIZE = 100
const SEARCH_FIELDS = new Set(['extRef', 'email', 'phone', 'firstName', 'lastName', 'language'])

export interface SandboxOptions {
  /** 0 (the default) picks a free port. The sandbox only ever listens on 127.0.0.1. */
  port?: number
  seed?: SandboxSeed
  /** Rate limits on a faster clock: 60 makes a minute's allowance refill in one second. */
  timeScale?: number
  /** Set false to serve without rate limits (e.g. to measure the destination's own request counts). */
  rateLimits?: boolean
  faults?: FaultConfig
  /** Page size for listings when the caller gives none (Qualtrics: up to 100). */
  defaultPageSize?: number
  log?: (line: string) => void
}

export interface SandboxStats {
  /** API and workflow requests received, including those answered with a fault or a 429. */
  requests: number
  byEndpoint: Partial<Record<Endpoint, Record<string, number>>>
  rateLimited: number
  faults: Record<Fault, number>
}

export interface Sandbox {
  url: string
  port: number
  readonly store: SandboxStore
  stats(): SandboxStats
  setFaults(config: FaultConfig): void
  reset(): void
  close(): Promise<void>
}

interface Route {
  endpoint: Endpoint
  params: string[]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Which endpoint a method and path name; a known path with the wrong method is a 405. */
function route(method: string, path: string): Route | ApiError {
  let parts: string[]
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    // A malformed percent-escape names no resource; Qualtrics answers such paths with a 404 too.
    return new ApiError(404, 'SANDBOX_NOT_FOUND', `${path} is not a valid path.`)
  }
  const match = (pattern: string[], allowed: Partial<Record<string, Endpoint>>): Route | ApiError | undefined => {
    if (parts.length !== pattern.length) return undefined
    const params: string[] = []
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === '*') params.push(parts[i])
      else if (pattern[i].toLowerCase() !== parts[i].toLowerCase()) return undefined
    }
    const endpoint = allowed[method]
    return endpoint ? { endpoint, params } : new ApiError(405, 'SANDBOX_METHOD', `${method} is not allowed on ${path}.`)
  }
  const found =
    match(['API', 'v3', 'whoami'], { GET: 'whoami' }) ??
    match(['API', 'v3', 'directories'], { GET: 'directories.list' }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists'], { GET: 'mailinglists.list' }) ??
    match(['API', 'v3', 'directories', '*', 'contacts'], { POST: 'contacts.create' }) ??
    match(['API', 'v3', 'directories', '*', 'contacts', 'search'], { POST: 'contacts.search' }) ??
    match(['API', 'v3', 'directories', '*', 'contacts', '*'], { GET: 'contacts.get', PUT: 'contacts.update' }) ??
    match(['API', 'v3', 'directories', '*', 'transactions'], { POST: 'transactions.create' }) ??
    match(['inbound-event', 'v1', 'events', 'json', 'triggers'], { POST: 'workflow.trigger' })
  return found ?? new ApiError(404, 'SANDBOX_NOT_FOUND', `No Qualtrics endpoint at ${path}.`)
}

/** Reads the body up to `limit` bytes; past it, the rest is drained unread and a 413 follows. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > limit) reject(new ApiError(413, 'SANDBOX_TOO_LARGE', `The request body is over ${limit} bytes.`))
      else resolve(Buffer.concat(chunks))
    })
    req.on('error', reject)
  })
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new ApiError(400, 'SANDBOX_MALFORMED_JSON', 'The request body is not valid JSON.')
  }
}

const encodeSkipToken = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url')

function decodeSkipToken(token: string | null): number {
  if (token === null) return 0
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  if (!match) throw new ApiError(400, 'SANDBOX_VALIDATION', 'skipToken is not valid.')
  return Number(match[1])
}

function pageSizeOf(url: URL, fallback: number): number {
  const raw = url.searchParams.get('pageSize')
  if (raw === null) return fallback
  const size = Number(raw)
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ApiError(400, 'SANDBOX_VALIDATION', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}.`)
  }
  return size
}

/** One page of `items` and the full URL of the next, as Qualtrics' `nextPage` gives it (null on the last). */
function page<T>(items: T[], url: URL, origin: string, fallbackSize: number) {
  const size = pageSizeOf(url, fallbackSize)
  const offset = decodeSkipToken(url.searchParams.get('skipToken'))
  const elements = items.slice(offset, offset + size)
  let nextPage: string | null = null
  let skipToken: string | undefined
  if (offset + size < items.length) {
    skipToken = encodeSkipToken(offset + size)
    const next = new URL(url.pathname + url.search, origin)
    next.searchParams.set('pageSize', String(size))
    next.searchParams.set('skipToken', skipToken)
    nextPage = next.toString()
  }
  return { offset, elements, nextPage, skipToken }
}

/** `{filter: {filterType, comparison: 'eq', value}}` or `{filter: {conjunction: 'and', filters: [...]}}`. */
function searchFilters(body: unknown): ContactFilter[] {
  const filter = (body as { filter?: Record<string, unknown> } | undefined)?.filter
  if (typeof filter !== 'object' || filter === null) {
    throw new ApiError(400, 'SANDBOX_VALIDATION', 'The search body needs a filter.')
  }
  const single = (f: unknown): ContactFilter => {
    const { filterType, comparison, value } = (f ?? {}) as Record<string, unknown>
    if (typeof filterType !== 'string' || !SEARCH_FIELDS.has(filterType)) {
      throw new ApiError(400, 'SANDBOX_VALIDATION', `filterType ${JSON.stringify(filterType)} is not supported.`)
    }
    if (comparison !== 'eq') {
      throw new ApiError(
        400,
        'SANDBOX_VALIDATION',
        `comparison ${JSON.stringify(comparison)} is not supported (eq only).`
      )
    }
    if (typeof value !== 'string') throw new ApiError(400, 'SANDBOX_VALIDATION', 'The filter value must be a string.')
    return { filterType, value } as ContactFilter
  }
  if (filter.conjunction === undefined) return [single(filter)]
  // Only `and` is documented anywhere; `or` is refused rather than guessed at.
  if (filter.conjunction !== 'and' || !Array.isArray(filter.filters) || filter.filters.length === 0) {
    throw new ApiError(400, 'SANDBOX_VALIDATION', 'Only conjunction "and" with a list of filters is supported.')
  }
  return filter.filters.map(single)
}

function basicCredentials(header: string | undefined): { userName: string; token: string } | undefined {
  const match = header ? /^Basic\s+(.+)$/i.exec(header) : null
  if (!match) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : { userName: decoded.slice(0, colon), token: decoded.slice(colon + 1) }
}

/** The ids of what a response reports as created (transactions, a workflow run). */
function idsIn(body: Record<string, unknown>): Set<string> {
  const result = (body.result ?? {}) as { runId?: string; createdTransactions?: Record<string, { id: string }> }
  return new Set([
    ...(result.runId ? [result.runId] : []),
    ...Object.values(result.createdTransactions ?? {}).map((created) => created.id)
  ])
}

function emptyStats(): SandboxStats {
  return {
    requests: 0,
    byEndpoint: {},
    rateLimited: 0,
    faults: { status429: 0, status500: 0, status503: 0, drop: 0, timeout: 0 }
  }
}

/** A Qualtrics API v3 look-alike over HTTP on 127.0.0.1. It knows nothing of the destination. */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? DEFAULT_SEED
  const log = options.log ?? (() => undefined)
  const defaultPageSize = options.defaultPageSize ?? MAX_PAGE_SIZE
  let store = new SandboxStore(seed)
  let limiter = new RateLimiter(options.timeScale ?? 1)
  let faults = new FaultInjector(options.faults)
  let stats = emptyStats()

  const count = (endpoint: Endpoint, outcome: string) => {
    const byStatus = (stats.byEndpoint[endpoint] ??= {})
    byStatus[outcome] = (byStatus[outcome] ?? 0) + 1
  }

  const send = async (res: ServerResponse, status: number, body: unknown, slowBodyMs = 0) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    if (slowBodyMs <= 0) {
      res.end(text)
      return
    }
    // Slice bytes, not string units: a cut through a surrogate pair would corrupt the character and the length.
    const bytes = Buffer.from(text)
    const pieces = 10
    const step = Math.ceil(bytes.length / pieces)
    for (let i = 0; i < bytes.length; i += step) {
      res.write(bytes.subarray(i, i + step))
      await sleep(slowBodyMs / pieces)
    }
    res.end()
  }

  const meta = (status: number, requestId: string) => ({ httpStatus: `${status} - ${STATUS_CODES[status]}`, requestId })
  const errorBody = (error: ApiError, requestId: string) => ({
    meta: { ...meta(error.status, requestId), error: { errorMessage: error.message, errorCode: error.errorCode } }
  })

  const handleInspection = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.method === 'GET' && path === '/__sandbox/state') return send(res, 200, store.snapshot())
    if (req.method === 'GET' && path === '/__sandbox/stats') return send(res, 200, stats)
    if (req.method === 'GET' && path === '/__sandbox/faults') return send(res, 200, faults.config)
    if (req.method === 'POST' && path === '/__sandbox/reset') {
      sandbox.reset()
      return send(res, 200, { reset: true })
    }
    if ((req.method === 'PUT' || req.method === 'POST') && path === '/__sandbox/faults') {
      try {
        sandbox.setFaults(parseJson(await readBody(req, 64 * 1024)) as FaultConfig)
        return send(res, 200, faults.config)
      } catch (error) {
        return send(res, 400, { error: (error as Error).message })
      }
    }
    return send(res, 404, {
      error: `No inspection route ${req.method} ${path}`,
      routes: ['GET /__sandbox/state', 'GET /__sandbox/stats', 'GET|PUT /__sandbox/faults', 'POST /__sandbox/reset']
    })
  }

  /** Runs one API call against the store and returns its status and Qualtrics-shaped body. */
  const perform = (
    found: Route,
    url: URL,
    body: unknown,
    origin: string,
    caller: { user: SeedUser & { userId: string; brandId: string }; auth: WorkflowRun['auth'] }
  ): [number, Record<string, unknown>] => {
    const [directoryId, contactId] = found.params
    switch (found.endpoint) {
      case 'whoami': {
        const { userName, userId, brandId, firstName, lastName, email } = caller.user
        const accountType = 'UT_BRANDADMIN'
        return [
          200,
          { result: { brandId, userId, userName, accountType, firstName, lastName, email, datacenter: 'sandbox' } }
        ]
      }
      case 'directories.list': {
        const { elements, nextPage } = page(store.listDirectories(), url, origin, defaultPageSize)
        return [200, { result: { elements, nextPage } }]
      }
      case 'mailinglists.list': {
        const { elements, nextPage } = page(store.listMailingLists(directoryId), url, origin, defaultPageSize)
        return [200, { result: { elements, nextPage } }]
      }
      case 'contacts.create': {
        const { id } = store.createContact(directoryId, body)
        return [200, { result: { id } }]
      }
      case 'contacts.get':
        return [200, { result: store.getContact(directoryId, contactId) }]
      case 'contacts.update':
        store.updateContact(directoryId, contactId, body)
        return [200, {}]
      case 'contacts.search': {
        const filters = searchFilters(body)
        const matches = store.searchContacts(directoryId, filters)
        const includeEmbedded = url.searchParams.get('includeEmbedded') === 'true'
        const { offset, elements, nextPage, skipToken } = page(matches, url, origin, defaultPageSize)
        if (offset >= SEARCH_RESULT_LIMIT) {
          throw new ApiError(
            400,
            'BRE_0.5',
            `Search results can only be paged through the first ${SEARCH_RESULT_LIMIT} contacts; use a contact export.`
          )
        }
        const shown = elements.map(({ embeddedData, ...contact }) =>
          includeEmbedded ? { ...contact, embeddedData } : contact
        )
        return [200, { result: { elements: shown, nextPage, ...(skipToken ? { skipToken } : {}) } }]
      }
      case 'transactions.create':
        return [200, { result: store.createTransactions(directoryId, body) }]
      case 'workflow.trigger': {
        if (typeof body !== 'object' || body === null) {
          throw new ApiError(400, 'SANDBOX_VALIDATION', 'A JSON Event body must be a JSON object or array.')
        }
        const run = store.recordWorkflowRun({
          urlTokenId: url.searchParams.get('urlTokenId')!,
          auth: caller.auth,
          userName: caller.user.userName,
          payload: body
        })
        return [202, { result: { runId: run.id } }]
      }
    }
  }

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
    const isWorkflow = endpoint === 'workflow.trigger'
    const body = parseJson(await readBody(req, isWorkflow ? WORKFLOW_BODY_LIMIT_BYTES : API_BODY_LIMIT_BYTES))

    const basic = isWorkflow ? basicCredentials(req.headers.authorization) : undefined
    const headerToken = req.headers['x-api-token']
    const user = store.userFor(basic ? basic.token : typeof headerToken === 'string' ? headerToken : undefined)
    if (!user || (basic && basic.userName.toLowerCase() !== user.userName.toLowerCase())) {
      throw new ApiError(401, 'SANDBOX_AUTH', 'Authentication failed: the API token (or user name) is not valid.')
    }
    if (isWorkflow && !store.hasWorkflow(url.searchParams.get('urlTokenId') ?? '')) {
      throw new ApiError(404, 'SANDBOX_NOT_FOUND', 'No active JSON Event trigger has this urlTokenId.')
    }
    if (options.rateLimits !== false && !limiter.tryTake(user.brandId, endpoint)) {
      stats.rateLimited += 1
      throw new ApiError(429, 'SANDBOX_RATE_LIMIT', `Too many requests to ${endpoint}; slow down and retry.`)
    }

    const fault = faults.pick(endpoint)
    if (fault) stats.faults[fault] += 1
    if (fault === 'drop') {
      count(endpoint, 'dropped')
      req.socket.destroy()
      return
    }
    if (fault === 'status429' || fault === 'status500' || fault === 'status503') {
      const status = Number(fault.slice(6))
      throw new ApiError(status, 'SANDBOX_FAULT', `Injected ${status} for ${endpoint}.`)
    }

    const [status, responseBody] = perform(found, url, body, `http://${req.headers.host}`, {
      user,
      auth: basic ? 'Basic' : 'X-API-TOKEN'
    })

    if (fault === 'timeout') {
      // Stored, but the caller never hears so: the case that makes delivery at-least-once.
      count(endpoint, 'timeout')
      store.markResponseLost(idsIn(responseBody))
      const timer = setTimeout(() => req.socket.destroy(), config.timeoutHangMs ?? 30_000)
      req.socket.once('close', () => clearTimeout(timer))
      return
    }
    count(endpoint, String(status))
    return send(res, status, { ...responseBody, meta: meta(status, requestId) }, config.slowBodyMs)
  }

  const server: Server = createServer((req, res) => {
    const requestId = randomUUID()
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const handled = url.pathname.startsWith('/__sandbox')
      ? handleInspection(req, res, url.pathname)
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

  const sandbox: Sandbox = {
    url: '',
    port: 0,
    get store() {
      return store
    },
    stats: () => stats,
    setFaults(config: FaultConfig) {
      faults = new FaultInjector(checkFaultConfig(config))
    },
    reset() {
      store = new SandboxStore(seed)
      limiter = new RateLimiter(options.timeScale ?? 1)
      stats = emptyStats()
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }

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
