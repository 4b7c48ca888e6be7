import { ENDPOINT_NAMES } from './endpoints'
import type { Endpoint } from './endpoints'

/** Fractions (0–1) of requests that fail each way. */
export interface FaultRates {
  /** Answered 429 before any processing. */
  status429?: number
  /** Answered 500 before any processing. */
  status500?: number
  /** Answered 503 before any processing. */
  status503?: number
  /** The connection is closed before any processing: no response, nothing stored. */
  drop?: number
  /**
   * Processed and stored, then no response for `timeoutHangMs` before the connection closes: the caller times out
   * not knowing the outcome, as after a real gateway timeout.
   */
  timeout?: number
  /** Processed, then answered 200 with `{"result": {}}`: a success without the documented fields. */
  malformed?: number
}

export interface FaultConfig {
  /** Added to every API request before it is handled. */
  latencyMs?: number
  /** Response bodies trickle out over this long. */
  slowBodyMs?: number
  /** How long a `timeout` fault holds the connection before closing it (default 30 s). */
  timeoutHangMs?: number
  /**
   * Qualtrics' read-after-write lag, in sandbox-clock milliseconds (it follows `timeScale`): a contact younger than
   * this is missing from search results and its GET is a 404. Default 0.
   */
  indexLagMs?: number
  /** Seeds the fault dice so a run can be repeated. */
  seed?: number
  /** Rates per endpoint; `*` applies to every endpoint without its own entry. */
  rates?: Partial<Record<Endpoint | '*', FaultRates>>
}

export type Fault = 'status429' | 'status500' | 'status503' | 'drop' | 'timeout' | 'malformed'
export const FAULTS: Fault[] = ['status429', 'status500', 'status503', 'drop', 'timeout', 'malformed']
const CONFIG_KEYS = ['latencyMs', 'slowBodyMs', 'timeoutHangMs', 'indexLagMs', 'seed', 'rates']

/** mulberry32: small, fast and seedable; plenty for fault dice. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function checkFaultConfig(config: unknown): FaultConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error('Fault configuration must be an object')
  }
  const c = config as Record<string, unknown>
  const unknownKey = Object.keys(c).find((key) => !CONFIG_KEYS.includes(key))
  if (unknownKey !== undefined) {
    throw new Error(`Fault configuration: "${unknownKey}" is not one of ${CONFIG_KEYS.join(', ')}`)
  }
  for (const key of ['latencyMs', 'slowBodyMs', 'timeoutHangMs', 'indexLagMs', 'seed']) {
    if (c[key] !== undefined && (typeof c[key] !== 'number' || !Number.isFinite(c[key]) || (c[key] as number) < 0)) {
      throw new Error(`Fault configuration: ${key} must be a number of 0 or more`)
    }
  }
  if (c.rates !== undefined && (typeof c.rates !== 'object' || c.rates === null || Array.isArray(c.rates))) {
    throw new Error('Fault configuration: rates must be an object keyed by endpoint')
  }
  for (const [endpoint, rates] of Object.entries((c.rates as Record<string, unknown>) ?? {})) {
    // A misspelt endpoint would otherwise never fire, and the run would pass for the wrong reason.
    if (endpoint !== '*' && !(ENDPOINT_NAMES as readonly string[]).includes(endpoint)) {
      throw new Error(`Fault configuration: rates.${endpoint} is not an endpoint (*, ${ENDPOINT_NAMES.join(', ')})`)
    }
    if (typeof rates !== 'object' || rates === null || Array.isArray(rates))
      throw new Error(`Fault configuration: rates.${endpoint} must be an object`)
    let total = 0
    for (const [fault, rate] of Object.entries(rates)) {
      if (!(FAULTS as string[]).includes(fault)) {
        throw new Error(`Fault configuration: rates.${endpoint}.${fault} is not one of ${FAULTS.join(', ')}`)
      }
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
        throw new Error(`Fault configuration: rates.${endpoint}.${fault} must be a fraction between 0 and 1`)
      }
      total += rate
    }
    if (total > 1) throw new Error(`Fault configuration: the rates for ${endpoint} add up to more than 1`)
  }
  return c as FaultConfig
}

/** Rolls the dice for each request according to the configured rates. */
export class FaultInjector {
  readonly config: FaultConfig
  private readonly random: () => number

  constructor(config: FaultConfig = {}) {
    this.config = checkFaultConfig(config)
    this.random = config.seed === undefined ? Math.random : seededRandom(config.seed)
  }

  pick(endpoint: Endpoint): Fault | undefined {
    const rates = this.config.rates?.[endpoint] ?? this.config.rates?.['*']
    if (!rates) return undefined
    let roll = this.random()
    for (const fault of FAULTS) {
      roll -= rates[fault] ?? 0
      if (roll < 0) return fault
    }
    return undefined
  }
}
