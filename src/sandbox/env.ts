import { checkFaultConfig } from './faults'
import type { FaultConfig } from './faults'

export interface SandboxEnvOptions {
  /** SANDBOX_SEED: a seed JSON file instead of the built-in seed. */
  seedFile?: string
  /** SANDBOX_TIME_SCALE: the sandbox clock's speed (rate limits and the index lag follow it). */
  timeScale?: number
  /** SANDBOX_FAULTS: a fault configuration as JSON, e.g. '{"latencyMs": 50}'; SANDBOX_INDEX_LAG_MS sets its indexLagMs. */
  faults?: FaultConfig
}

function positiveNumber(name: string, raw: string, allowZero: boolean): number {
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'number of 0 or more' : 'positive number'}, not "${raw}"`)
  }
  return n
}

/** The sandbox's environment variables, checked, for `npm run sandbox` and for `npm start`'s embedded sandbox. */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxEnvOptions {
  const options: SandboxEnvOptions = {}
  if (env.SANDBOX_SEED?.trim()) options.seedFile = env.SANDBOX_SEED.trim()
  if (env.SANDBOX_TIME_SCALE?.trim()) {
    options.timeScale = positiveNumber('SANDBOX_TIME_SCALE', env.SANDBOX_TIME_SCALE, false)
  }
  if (env.SANDBOX_FAULTS?.trim()) {
    let parsed: unknown
    try {
      parsed = JSON.parse(env.SANDBOX_FAULTS)
    } catch {
      throw new Error(`SANDBOX_FAULTS must be JSON, e.g. '{"latencyMs": 50}', not "${env.SANDBOX_FAULTS.slice(0, 80)}"`)
    }
    options.faults = checkFaultConfig(parsed)
  }
  // Carried in the fault configuration, so `npm start` passes it on without knowing of it; this variable wins over
  // an indexLagMs inside SANDBOX_FAULTS.
  if (env.SANDBOX_INDEX_LAG_MS?.trim()) {
    const indexLagMs = positiveNumber('SANDBOX_INDEX_LAG_MS', env.SANDBOX_INDEX_LAG_MS, true)
    options.faults = { ...options.faults, indexLagMs }
  }
  return options
}
