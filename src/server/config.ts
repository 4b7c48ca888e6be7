import { normaliseDatacenter } from '../destinations/qualtrics'
import { sandboxOptionsFromEnv } from '../sandbox/env'
import type { SandboxEnvOptions } from '../sandbox/env'
import type { AnyDefinition } from './context'
import type { LocalSubscription } from './context'

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
  /** LOCAL_SDK_ORIGINS: web origins whose pages may send to the tracking API with a browser SDK (analytics.js). */
  sdkOrigins?: string[]
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

/**
 * LOCAL_SDK_ORIGINS, comma-separated: each an origin as a browser sends it (`http://localhost:5173`: scheme, host and
 * port, nothing after), lower-cased. Anything else stops start-up, saying which.
 */
function sdkOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      let url: URL | undefined
      try {
        url = new URL(entry)
      } catch {
        url = undefined
      }
      const origin = url && /^https?:$/.test(url.protocol) ? url.origin : undefined
      if (origin === undefined || origin !== entry.toLowerCase().replace(/\/$/, '')) {
        throw new Error(
          `LOCAL_SDK_ORIGINS: "${entry}" is not an origin: give the page's scheme, host and port, e.g. http://localhost:5173 (comma-separated for several).`
        )
      }
      return origin
    })
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
    sandboxPort: port(env.SANDBOX_PORT, 3001, 'SANDBOX_PORT'),
    sdkOrigins: sdkOrigins(env.LOCAL_SDK_ORIGINS)
  }
  if (!token || !datacenter) {
    return {
      ...common,
      mode: 'sandbox',
      sandbox: sandboxOptionsFromEnv(env),
      mappingDefaults: {}
    }
  }
  let validDatacenter: string
  try {
    validDatacenter = normaliseDatacenter(datacenter)
  } catch (error) {
    throw new Error(`QUALTRICS_DATACENTER: ${(error as Error).message}`)
  }
  const mappingDefaults: Record<string, unknown> = {}
  for (const [field, name] of Object.entries(ENV_FOR_FIELD)) {
    if (env[name]) mappingDefaults[field] = env[name]
  }
  return {
    ...common,
    mode: 'qualtrics',
    apiBaseUrl: env.QUALTRICS_API_BASE_URL?.trim() || undefined,
    settings: { apiToken: token, datacenter: validDatacenter },
    mappingDefaults
  }
}

/** The environment variables that give mapping defaults in real mode, by the field they fill. */
export const ENV_FOR_FIELD: Record<string, string> = {
  directoryId: 'QUALTRICS_DIRECTORY_ID',
  mailingListId: 'QUALTRICS_MAILING_LIST_ID',
  workflowUrl: 'QUALTRICS_WORKFLOW_URL'
}

/** Start-up warnings: a trigger whose action needs a field (a directory, a list) that nothing fills in. */
export function presetWarnings(subscriptions: LocalSubscription[], definition: AnyDefinition): string[] {
  return subscriptions.flatMap((sub) => {
    const fields = definition.actions[sub.partnerAction].fields
    const missing = Object.entries(fields)
      .filter(([key, field]) => field.required && (sub.mapping[key] === undefined || sub.mapping[key] === ''))
      .map(([key, field]) => `${field.label} (${ENV_FOR_FIELD[key] ?? key})`)
    if (missing.length === 0) return []
    return [
      `Warning: "${sub.name}" (${sub.subscribe}) needs ${missing.join(' and ')}, which is not set: its events will ` +
        `fail with a 400 until you set it, or pass a mapping to POST /${sub.partnerAction}.`
    ]
  })
}
