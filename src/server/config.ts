import { sandboxOptionsFromEnv, type SandboxEnvOptions } from '../sandbox/env'
import type { LocalSubscription } from './local-server'

export interface LocalConfig {
  /** `qualtrics`: real Qualtrics with the token from the environment; `sandbox`: the embedded look-alike. */
  mode: 'qualtrics' | 'sandbox'
  port: number
  sandboxPort: number
  /** Sandbox mode: SANDBOX_SEED, SANDBOX_TIME_SCALE and SANDBOX_FAULTS. */
  sandbox?: SandboxEnvOptions
  /** Only for `qualtrics` mode: a loopback origin to send API calls to instead (an external sandbox). */
  apiBaseUrl?: string
  settings?: { apiToken: string; datacenter: string }
  mappingDefaults: Record<string, unknown>
}

/** The workflow trigger that POST /events adds when a workflow URL is known (Segment has no preset for it). */
export function workflowSubscription(): LocalSubscription {
  return {
    name: 'Start workflow on survey completion',
    subscribe: 'type = "track" and event = "Survey Completed"',
    partnerAction: 'triggerXflow',
    mapping: {}
  }
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number (0–65535), not "${value}"`)
  return n
}

/** Reads the environment: with QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER it talks to Qualtrics, else the sandbox. */
export function loadLocalConfig(env: NodeJS.ProcessEnv): LocalConfig {
  const token = env.QUALTRICS_API_TOKEN?.trim()
  const datacenter = env.QUALTRICS_DATACENTER?.trim()
  if (Boolean(token) !== Boolean(datacenter)) {
    throw new Error(
      'Set both QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER to use real Qualtrics, or neither to use the embedded sandbox.'
    )
  }
  const common = {
    port: port(env.PORT, 3000, 'PORT'),
    sandboxPort: port(env.SANDBOX_PORT, 3001, 'SANDBOX_PORT')
  }
  if (!token || !datacenter) {
    return {
      ...common,
      mode: 'sandbox',
      sandbox: sandboxOptionsFromEnv(env),
      mappingDefaults: {}
    }
  }
  const mappingDefaults: Record<string, unknown> = {}
  if (env.QUALTRICS_DIRECTORY_ID) mappingDefaults.directoryId = env.QUALTRICS_DIRECTORY_ID
  if (env.QUALTRICS_MAILING_LIST_ID) mappingDefaults.mailingListId = env.QUALTRICS_MAILING_LIST_ID
  if (env.QUALTRICS_WORKFLOW_URL) mappingDefaults.workflowUrl = env.QUALTRICS_WORKFLOW_URL
  return {
    ...common,
    mode: 'qualtrics',
    apiBaseUrl: env.QUALTRICS_API_BASE_URL?.trim() || undefined,
    settings: { apiToken: token, datacenter },
    mappingDefaults
  }
}
