import { createQualtrics } from '../destinations/qualtrics'
import { DEFAULT_SEED, loadSeedFile, startSandbox } from '../sandbox'
import type { Sandbox, SandboxOptions, SandboxSeed } from '../sandbox'
import { presetWarnings, workflowSubscription } from './config'
import type { LocalConfig } from './config'
import { createServerContext } from './context'
import type { ServerContext, ServerOptions } from './context'
import type { DeliveryLog } from './delivery-log'
import { serveContext } from './local-server'
import { startResponses } from './responses'
import type { Responses, ResponsesOptions } from './responses'
import { deliverTrackedEvents } from './segment/tracked-delivery'
import { startTracking } from './tracking'
import type { Tracking, TrackingOptions } from './tracking'

export interface LocalRuntime {
  url: string
  /** Present in sandbox mode: the embedded Qualtrics look-alike the destination talks to. */
  sandbox?: Sandbox
  /** Segment's tracking API and its queue. */
  tracking: Tracking
  /** The Qualtrics responses receiver, when QUALTRICS_SUBSCRIPTION_KEY is set. */
  responses?: Responses
  /** The one context every route and the tracking API's delivery were handed. */
  context: ServerContext
  deliveryLog: DeliveryLog
  /** What was started, in lines fit for the console. */
  summary: string[]
  close(): Promise<void>
}

export interface RuntimeOptions {
  config: LocalConfig
  log?: (line: string) => void
  /** Sandbox mode: the seed (default: SANDBOX_SEED's file, else one user, directory, mailing list and workflow) and fault/limit options. */
  seed?: SandboxSeed
  sandbox?: Omit<SandboxOptions, 'port' | 'seed'>
  bodyLimitBytes?: number
  /** Mapping values per action that win over the seed's and the environment's (the fault runs use a second directory). */
  actionMappingDefaults?: Record<string, Record<string, unknown>>
  /** Timeout for each Qualtrics request (default 15 s); the fault runs shorten it. */
  requestTimeoutMs?: number
  /**
   * The tracking API's queue folder (one process at a time may hold it), write key and back-off. Nothing comes from
   * the environment here: `npm start` passes trackingConfigFromEnv(process.env); tests and scripts a temporary folder.
   */
  tracking: Partial<Omit<TrackingOptions, 'deliver' | 'log'>> & { queueFolder: string }
  /**
   * The responses receiver's environment (none by default: `npm start` passes process.env), queue folder (needed
   * when the environment starts the receiver) and back-off.
   */
  responses?: Partial<Omit<ResponsesOptions, 'qualtrics' | 'log'>>
}

/** The receiver, when its shared key is set: it reads responses with the destination's Qualtrics token. */
function startRuntimeResponses(options: RuntimeOptions, server: ServerOptions): Promise<Responses | undefined> {
  const env = options.responses?.env ?? {}
  const settings = server.settings as { apiToken: string; datacenter: string }
  if (!env.QUALTRICS_SUBSCRIPTION_KEY?.trim()) return Promise.resolve(undefined)
  const queueFolder = options.responses?.queueFolder
  if (!queueFolder) return Promise.reject(new Error('The responses receiver needs responses.queueFolder.'))
  const origin = server.sandbox?.url ?? options.config.apiBaseUrl ?? `https://${settings.datacenter}.qualtrics.com`
  return startResponses({
    ...options.responses,
    env,
    queueFolder,
    log: options.log,
    qualtrics: { origin, apiToken: settings.apiToken }
  })
}

/** The delivery log's word for what the tracking queue decided about an event. */
const LOG_STATE_OF = { delivered: 'delivered', failed: 'failed', retry: 'retrying' } as const

/**
 * Segment's tracking API over the server's context: queued events are delivered as POST /events runs an array, and
 * the delivery log follows each from its arrival to its outcome.
 */
function startRuntimeTracking(context: ServerContext, options: RuntimeOptions): Promise<Tracking> {
  const { deliveryLog } = context
  return startTracking({
    ...options.tracking,
    log: options.log,
    deliver: deliverTrackedEvents(context),
    onQueued: (events) => events.forEach((event) => deliveryLog.received('sdk', event, new Date(event.receivedAt))),
    onSettled: (outcomes) => outcomes.forEach((o) => deliveryLog.settled(o.messageId, LOG_STATE_OF[o.outcome]))
  })
}

/**
 * The local server, and in sandbox mode the sandbox behind it: `npm start`, the end-to-end tests, the benchmark
 * and the fault runs all start the same thing. In sandbox mode the destination is pointed at the sandbox, and the
 * seed's first user, directory, mailing list and workflow fill in the settings and mappings a request leaves out.
 */
export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const { config, log } = options
  const server: ServerOptions = {
    log,
    mappingDefaults: config.mappingDefaults,
    actionMappingDefaults: options.actionMappingDefaults,
    bodyLimitBytes: options.bodyLimitBytes
  }
  const summary: string[] = []
  let sandbox: Sandbox | undefined

  if (config.mode === 'sandbox') {
    const seed = options.seed ?? (config.sandbox?.seedFile ? loadSeedFile(config.sandbox.seedFile) : DEFAULT_SEED)
    sandbox = await startSandbox({
      timeScale: config.sandbox?.timeScale,
      faults: config.sandbox?.faults,
      profile: config.sandbox?.profile,
      readings: config.sandbox?.readings,
      ...options.sandbox,
      port: config.sandboxPort,
      seed,
      log
    })
    server.definition = createQualtrics({ apiOrigin: sandbox.url, requestTimeoutMs: options.requestTimeoutMs })
    server.sandbox = { url: sandbox.url, key: sandbox.controlKey }
    const directory = seed.directories[0]
    const workflow = seed.workflows[0]
    server.settings = { apiToken: seed.users[0].token, datacenter: 'iad1' }
    server.mappingDefaults = {
      directoryId: directory?.directoryId,
      mailingListId: directory?.mailingLists?.[0]?.mailingListId,
      workflowUrl: workflow
        ? `https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=${workflow.urlTokenId}`
        : undefined,
      ...config.mappingDefaults
    }
    if (workflow) server.extraSubscriptions = [workflowSubscription()]
    summary.push(
      `No QUALTRICS_API_TOKEN/QUALTRICS_DATACENTER: using the embedded Qualtrics sandbox at ${sandbox.url}`,
      `  inspect what it stores: ${sandbox.url}/__sandbox/state`,
      `  directory ${directory?.directoryId}, mailing list ${server.mappingDefaults.mailingListId ?? '(none)'}`
    )
  } else {
    server.definition = createQualtrics({ apiOrigin: config.apiBaseUrl, requestTimeoutMs: options.requestTimeoutMs })
    server.settings = config.settings
    if (config.mappingDefaults.workflowUrl) server.extraSubscriptions = [workflowSubscription()]
    summary.push(
      `Talking to Qualtrics datacenter ${config.settings?.datacenter}${config.apiBaseUrl ? ` via ${config.apiBaseUrl}` : ''}`
    )
  }

  // The one context: the routes, the tracking API's delivery and the console share its delivery log and counters.
  const context = createServerContext(server)
  if (config.mode === 'qualtrics') summary.push(...presetWarnings(context.subscriptions(), context.definition))
  const tracking = await startRuntimeTracking(context, options).catch(async (error: unknown) => {
    await sandbox?.close()
    throw error
  })
  const responses = await startRuntimeResponses(options, server).catch(async (error: unknown) => {
    await tracking.close()
    await sandbox?.close()
    throw error
  })
  context.services.tracking = tracking
  context.services.responses = responses
  const local = await serveContext(context, config.port).catch(async (error: unknown) => {
    await responses?.close()
    await tracking.close()
    await sandbox?.close()
    throw error
  })
  summary.push(`Qualtrics destination listening at ${local.url} (GET ${local.url}/ lists the routes)`)
  if (sandbox) {
    summary.push(
      `  change the sandbox through ${local.url}/console/api/sandbox/ (reset, faults, clock, surveys/{SV}/responses): ` +
        'its own /__sandbox control routes need the key made at each start'
    )
  }
  summary.push(
    ...tracking.summary,
    `  point a Segment SDK's host at ${local.url} (e.g. new Analytics({ writeKey, host: '${local.url}' }))`,
    `Console: open ${local.url}/ in a browser (event delivery, actions tester, sandbox; docs/console.md)`,
    ...(responses?.summary ?? [])
  )
  return {
    url: local.url,
    sandbox,
    tracking,
    responses,
    context,
    deliveryLog: context.deliveryLog,
    summary,
    async close() {
      // The HTTP server first, so nothing new is queued while the delivery under way finishes.
      await local.close()
      await responses?.close()
      await tracking.close()
      await sandbox?.close()
    }
  }
}
