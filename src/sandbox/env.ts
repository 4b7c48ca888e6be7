import { checkFaultConfig, type FaultConfig } from './faults'

export interface SandboxEnvOptions {
  /** SANDBOX_SEED: a seed JSON file instead of the built-in seed. */
  seedFile?: string
  /** SANDBOX_TIME_SCALE: the rate-limit clock's speed. */
  timeScale?: number
  /** SANDBOX_FAULTS: a fault configuration as JSON, e.g. '{"latencyMs": 50}'. */
  faults?: FaultConfig
}

/** The sandbox's environment variables, checked, for `npm run sandbox` and for `npm start`'s embedded sandbox. */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxEnvOptions {
  const options: SandboxEnvOptions = {}
  if (env.SANDBOX_SEED?.trim()) options.seedFile = env.SANDBOX_SEED.trim()
  if (env.SANDBOX_TIME_SCALE?.trim()) {
    const n = Number(env.SANDBOX_TIME_SCALE)
    if (!(n > 0) || !Number.isFinite(n)) {
      throw new Error(`SANDBOX_TIME_SCALE must be a positive number, not "${env.SANDBOX_TIME_SCALE}"`)
    }
    options.timeScale = n
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
  return options
}
