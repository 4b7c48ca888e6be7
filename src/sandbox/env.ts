import { checkFaultConfig } from './faults'
import type { FaultConfig } from './faults'
import { checkProfile, checkReadings } from './readings'
import type { Profile, Readings } from './readings'

export interface SandboxEnvOptions {
  /** SANDBOX_SEED: a seed JSON file instead of the built-in seed. */
  seedFile?: string
  /** SANDBOX_TIME_SCALE: the sandbox clock's speed (rate limits and the index lag follow it). */
  timeScale?: number
  /** SANDBOX_FAULTS: a fault configuration as JSON, e.g. '{"latencyMs": 50}'; SANDBOX_INDEX_LAG_MS sets its indexLagMs. */
  faults?: FaultConfig
  /** SANDBOX_PROFILE: `default` or `strict` (./readings.ts). */
  profile?: Profile
  /** SANDBOX_READINGS: switches over the profile as JSON, e.g. '{"searchPaging": "skipToken"}'. */
  readings?: Partial<Readings>
}

function positiveNumber(name: string, raw: string, allowZero: boolean): number {
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'number of 0 or more' : 'positive number'}, not "${raw}"`)
  }
  return n
}

/** A variable holding JSON, parsed; a mistake names the variable. */
function jsonIn(name: string, raw: string, example: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    throw new Error(`${name} must be JSON, e.g. '${example}', not "${raw.slice(0, 80)}"`)
  }
}

/** The sandbox's environment variables, checked, for `npm run sandbox` and for `npm start`'s embedded sandbox. */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxEnvOptions {
  const options: SandboxEnvOptions = {}
  if (env.SANDBOX_SEED?.trim()) options.seedFile = env.SANDBOX_SEED.trim()
  if (env.SANDBOX_TIME_SCALE?.trim()) {
    options.timeScale = positiveNumber('SANDBOX_TIME_SCALE', env.SANDBOX_TIME_SCALE, false)
  }
  if (env.SANDBOX_FAULTS?.trim()) {
    options.faults = checkFaultConfig(jsonIn('SANDBOX_FAULTS', env.SANDBOX_FAULTS, '{"latencyMs": 50}'))
  }
  // Carried in the fault configuration, so `npm start` passes it on without knowing of it; this variable wins over
  // an indexLagMs inside SANDBOX_FAULTS.
  if (env.SANDBOX_INDEX_LAG_MS?.trim()) {
    const indexLagMs = positiveNumber('SANDBOX_INDEX_LAG_MS', env.SANDBOX_INDEX_LAG_MS, true)
    options.faults = { ...options.faults, indexLagMs }
  }
  if (env.SANDBOX_PROFILE?.trim()) options.profile = checkProfile(env.SANDBOX_PROFILE.trim(), 'SANDBOX_PROFILE')
  if (env.SANDBOX_READINGS?.trim()) {
    const readings = jsonIn('SANDBOX_READINGS', env.SANDBOX_READINGS, '{"searchPaging": "skipToken"}')
    try {
      options.readings = checkReadings(readings)
    } catch (error) {
      throw new Error(`SANDBOX_READINGS: ${(error as Error).message}`)
    }
  }
  return options
}
