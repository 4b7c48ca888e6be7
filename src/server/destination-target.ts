import { createQualtrics } from '../destinations/qualtrics'
import { DEFAULT_SEED, loadSeedFile, startSandbox } from '../sandbox'
import type { Sandbox, SandboxOptions, SandboxSeed } from '../sandbox'
import { workflowSubscription } from './config'
import type { LocalConfig } from './config'
import type { ServerOptions } from './context'

/** What decides where the destination sends: the configuration, and in sandbox mode the sandbox's seed and options. */
export interface TargetOptions {
  config: LocalConfig
  log?: (line: string) => void
  /** Sandbox mode: the seed (default: SANDBOX_SEED's file, else one user, directory, mailing list and workflow) and fault/limit options. */
  seed?: SandboxSeed
  sandbox?: Omit<SandboxOptions, 'port' | 'seed'>
  /** Timeout for each Qualtrics request (default 15 s); the fault runs shorten it. */
  requestTimeoutMs?: number
}

/** The destination instance, the settings and mapping defaults it runs with, and the start-up lines saying so. */
export interface DestinationTarget {
  server: Pick<ServerOptions, 'definition' | 'settings' | 'mappingDefaults' | 'extraSubscriptions' | 'sandbox'>
  sandbox?: Sandbox
  summary: string[]
}

/**
 * Sandbox mode: starts the sandbox and points the destination at it; the seed's first user, directory, mailing list
 * and workflow fill in the settings and mappings a request leaves out.
 */
async function sandboxTarget(options: TargetOptions): Promise<DestinationTarget> {
  const { config } = options
  const seed = options.seed ?? (config.sandbox?.seedFile ? loadSeedFile(config.sandbox.seedFile) : DEFAULT_SEED)
  const sandbox = await startSandbox({
    timeScale: config.sandbox?.timeScale,
    faults: config.sandbox?.faults,
    profile: config.sandbox?.profile,
    readings: config.sandbox?.readings,
    ...options.sandbox,
    port: config.sandboxPort,
    seed,
    log: options.log
  })
  const directory = seed.directories[0]
  const workflow = seed.workflows[0]
  const mappingDefaults = {
    directoryId: directory?.directoryId,
    mailingListId: directory?.mailingLists?.[0]?.mailingListId,
    workflowUrl: workflow
      ? `https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=${workflow.urlTokenId}`
      : undefined,
    ...config.mappingDefaults
  }
  return {
    server: {
      definition: createQualtrics({ apiOrigin: sandbox.url, requestTimeoutMs: options.requestTimeoutMs }),
      sandbox: { url: sandbox.url, key: sandbox.controlKey },
      settings: { apiToken: seed.users[0].token, datacenter: 'iad1' },
      mappingDefaults,
      extraSubscriptions: workflow ? [workflowSubscription()] : undefined
    },
    sandbox,
    summary: [
      `No QUALTRICS_API_TOKEN/QUALTRICS_DATACENTER: using the embedded Qualtrics sandbox at ${sandbox.url}`,
      `  inspect what it stores: ${sandbox.url}/__sandbox/state`,
      `  directory ${directory?.directoryId}, mailing list ${mappingDefaults.mailingListId ?? '(none)'}`
    ]
  }
}

/** Real Qualtrics (or QUALTRICS_API_BASE_URL's loopback origin) with the token from the environment. */
function qualtricsTarget(options: TargetOptions): DestinationTarget {
  const { config } = options
  return {
    server: {
      definition: createQualtrics({ apiOrigin: config.apiBaseUrl, requestTimeoutMs: options.requestTimeoutMs }),
      settings: config.settings,
      mappingDefaults: config.mappingDefaults,
      extraSubscriptions: config.mappingDefaults.workflowUrl ? [workflowSubscription()] : undefined
    },
    summary: [
      `Talking to Qualtrics datacenter ${config.settings?.datacenter}${config.apiBaseUrl ? ` via ${config.apiBaseUrl}` : ''}`
    ]
  }
}

/** Where the destination sends, by mode: the embedded sandbox (started here) or Qualtrics. */
export function destinationTarget(options: TargetOptions): Promise<DestinationTarget> {
  return options.config.mode === 'sandbox' ? sandboxTarget(options) : Promise.resolve(qualtricsTarget(options))
}
