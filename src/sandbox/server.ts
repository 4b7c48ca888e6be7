import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { answeredAtTheDoor, checkAllowedOrigins, INSPECTION_PREFIX, newControlKey } from './access'
import type { AccessRules } from './access'
import { SandboxClock } from './clock'
import { ApiError } from './errors'
import { checkFaultConfig, FaultInjector } from './faults'
import type { FaultConfig } from './faults'
import { errorBody, send } from './http-io'
import { handleInspection } from './inspection'
import type { Inspected } from './inspection'
import { MAX_PAGE_SIZE } from './paging'
import { answerEndpoint, answerFailure } from './pipeline'
import type { SandboxState } from './pipeline'
import { RateLimiter } from './rate-limits'
import { OTHER_QUALTRICS_ORIGIN, readingsOf } from './readings'
import type { Profile, Readings } from './readings'
import { DEFAULT_SEED } from './seed'
import type { SandboxSeed } from './seed-types'
import { emptyStats } from './stats'
import type { SandboxStats } from './stats'
import { SandboxStore } from './store'

export { API_BODY_LIMIT_BYTES, WORKFLOW_BODY_LIMIT_BYTES } from './pipeline'

export interface SandboxOptions {
  /** 0 (the default) picks a free port. The sandbox only ever listens on 127.0.0.1. */
  port?: number
  seed?: SandboxSeed
  /** The sandbox clock's speed: at 60 a minute's rate allowance refills in one second, and the index lag shrinks alike. */
  timeScale?: number
  /**
   * The sandbox clock itself, instead of one at `timeScale` over real time (give one or the other). A test gives one
   * over a time it moves by hand, so no allowance refills and no lag passes while its requests run, however slow.
   */
  clock?: SandboxClock
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
  /**
   * How the sandbox reads Qualtrics where the public evidence allows more than one reading (./readings.ts):
   * `default` as it always answered, `strict` the other reading of each. `readings` sets switches one by one over it.
   */
  profile?: Profile
  readings?: Partial<Readings>
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
  /** The profile's readings with the switches given over them. */
  readonly readings: Readings
  /**
   * A URL on OTHER_QUALTRICS_ORIGIN (a `nextPage` in the `otherQualtricsHost` reading) made to point at this
   * sandbox, as a client under test must send it; any other URL as it is.
   */
  localUrl(url: string): string
  stats(): SandboxStats
  setFaults(config: FaultConfig): void
  reset(): void
  close(): Promise<void>
}

/** The options checked before anything starts: a mistake throws at once, naming what is wrong. */
function settled(options: SandboxOptions) {
  if (options.clock && options.timeScale !== undefined) {
    throw new Error('startSandbox takes timeScale or clock, not both: set the scale on the clock')
  }
  return {
    allowedOrigins: checkAllowedOrigins(options.allowedOrigins),
    profile: options.profile ?? 'default',
    readings: readingsOf(options.profile, options.readings),
    clock: options.clock ?? new SandboxClock(options.timeScale ?? 1)
  }
}

/** Every request: its target parsed, the door's rules applied, then the inspection routes or an endpoint. */
function listener(state: SandboxState, sandbox: Sandbox, rules: Omit<AccessRules, 'port'>, inspected: () => Inspected) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomUUID()
    // The base only completes the target; the Host is checked at the door before anything reads it.
    const url = URL.canParse(req.url ?? '/', 'http://127.0.0.1')
      ? new URL(req.url ?? '/', 'http://127.0.0.1')
      : undefined
    if (!url) {
      req.resume()
      return void send(res, 400, errorBody(new ApiError(400, 'SANDBOX_BAD_TARGET', 'Not a request target.'), requestId))
    }
    if (answeredAtTheDoor(req, res, url.pathname, { ...rules, port: sandbox.port }, requestId)) return
    const handled = url.pathname.startsWith(INSPECTION_PREFIX)
      ? handleInspection(req, res, url.pathname, inspected())
      : answerEndpoint(state, req, res, url, requestId)
    handled.catch((error: unknown) => answerFailure(state, req, res, url, { error, requestId }))
  }
}

/**
 * A Qualtrics API v3 look-alike over HTTP on 127.0.0.1. It knows nothing of the destination. Options that are not
 * right (an origin, a profile or reading, a clock with a time scale) throw before anything starts.
 */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? DEFAULT_SEED
  const { allowedOrigins, profile, readings, clock } = settled(options)
  const controlKey = newControlKey()
  const now = () => clock.now()
  const newStore = (faultConfig: FaultConfig) =>
    new SandboxStore(seed, { now, indexLagMs: faultConfig.indexLagMs, readings })
  const faults = new FaultInjector(options.faults)
  // The clock is already scaled, so the limiter counts sandbox minutes.
  const state: SandboxState = {
    store: newStore(faults.config),
    limiter: new RateLimiter(1, now),
    stats: emptyStats(),
    faults,
    readings,
    rateLimits: options.rateLimits !== false,
    defaultPageSize: options.defaultPageSize ?? MAX_PAGE_SIZE,
    log: options.log ?? (() => undefined)
  }

  const sandbox: Sandbox = {
    url: '',
    port: 0,
    controlKey,
    get store() {
      return state.store
    },
    clock,
    readings,
    localUrl: (url) =>
      url.startsWith(`${OTHER_QUALTRICS_ORIGIN}/`) ? sandbox.url + url.slice(OTHER_QUALTRICS_ORIGIN.length) : url,
    stats: () => state.stats,
    setFaults(config: FaultConfig) {
      state.faults = new FaultInjector(checkFaultConfig(config))
      state.store.indexLagMs = state.faults.config.indexLagMs ?? 0
    },
    reset() {
      state.store = newStore(state.faults.config)
      state.limiter = new RateLimiter(1, now)
      state.stats = emptyStats()
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }

  const inspected = (): Inspected => ({ ...sandbox, store: state.store, faults: () => state.faults.config, profile })
  const server: Server = createServer(listener(state, sandbox, { allowedOrigins, controlKey }, inspected))
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
