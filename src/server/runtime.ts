import { presetWarnings } from './config'
import { createServerContext } from './context'
import type { ServerContext } from './context'
import type { DeliveryLog, DeliveryState } from './delivery-log'
import { destinationTarget } from './destination-target'
import type { DestinationTarget, TargetOptions } from './destination-target'
import { serveContext } from './local-server'
import { startResponses } from './responses'
import type { Responses, ResponsesOptions } from './responses'
import { deliverTrackedEvents } from './segment/tracked-delivery'
import { startTracking } from './tracking'
import type { Repeat, Tracking, TrackingOptions } from './tracking'
import type { Sandbox } from '../sandbox'

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

export interface RuntimeOptions extends TargetOptions {
  bodyLimitBytes?: number
  /** Mapping values per action that win over the seed's and the environment's (the fault runs use a second directory). */
  actionMappingDefaults?: Record<string, Record<string, unknown>>
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
function startRuntimeResponses(options: RuntimeOptions, target: DestinationTarget): Promise<Responses | undefined> {
  const env = options.responses?.env ?? {}
  const settings = target.server.settings as { apiToken: string; datacenter: string }
  if (!env.QUALTRICS_SUBSCRIPTION_KEY?.trim()) return Promise.resolve(undefined)
  const queueFolder = options.responses?.queueFolder
  if (!queueFolder) return Promise.reject(new Error('The responses receiver needs responses.queueFolder.'))
  const origin = target.sandbox?.url ?? options.config.apiBaseUrl ?? `https://${settings.datacenter}.qualtrics.com`
  return startResponses({
    ...options.responses,
    env,
    queueFolder,
    log: options.log,
    qualtrics: { origin, apiToken: settings.apiToken }
  })
}

/** The delivery log's state for a repeat whose first copy had finished; the others follow their first copy. */
const FINISHED_STATE_OF: Partial<Record<Repeat['status'], DeliveryState>> = { delivered: 'delivered', failed: 'failed' }

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
    onSettled: (outcomes) => outcomes.forEach((o) => deliveryLog.settled(o.messageId, LOG_STATE_OF[o.outcome])),
    onRepeated: (repeats) =>
      repeats.forEach(({ event, status, message }) => deliveryLog.repeated(event, message, FINISHED_STATE_OF[status])),
    // The sandbox starts empty: "already delivered" must not refer to what an earlier one held.
    forgetFinished: options.config.mode === 'sandbox'
  })
}

/** Which web pages may use a browser SDK (analytics.js) with this server. */
const sdkOriginsLine = (origins: readonly string[]) =>
  origins.length > 0
    ? `  browser SDK (analytics.js) pages allowed from ${origins.join(', ')} (LOCAL_SDK_ORIGINS)`
    : '  browser SDK (analytics.js) pages: none allowed; list their origins in LOCAL_SDK_ORIGINS'

/** The start-up lines after the server listens: where to send, and where to look. */
function listeningSummary(
  url: string,
  sandbox: Sandbox | undefined,
  tracking: Tracking,
  sdkOrigins: readonly string[],
  responses?: Responses
) {
  return [
    `Qualtrics destination listening at ${url} (GET ${url}/ lists the routes)`,
    ...(sandbox
      ? [
          `  change the sandbox through ${url}/console/api/sandbox/ (reset, faults, clock, surveys/{SV}/responses): ` +
            'its own /__sandbox control routes need the key made at each start'
        ]
      : []),
    ...tracking.summary,
    `  point a Segment SDK's host at ${url} (e.g. new Analytics({ writeKey, host: '${url}' }))`,
    sdkOriginsLine(sdkOrigins),
    `Console: open ${url}/ in a browser (event delivery, actions tester, sandbox; docs/console.md)`,
    ...(responses?.summary ?? [])
  ]
}

/**
 * The local server, and in sandbox mode the sandbox behind it: `npm start`, the end-to-end tests, the benchmark
 * and the fault runs all start the same thing. It makes the one server context, hands it to the tracking API's
 * delivery and to every route, and closes what it started, newest first, when a later part cannot start.
 */
export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const started: Array<{ close(): Promise<void> }> = []
  const closeAll = async () => {
    for (const part of started.splice(0).reverse()) await part.close()
  }
  try {
    const target = await destinationTarget(options)
    if (target.sandbox) started.push(target.sandbox)
    const context = createServerContext({
      ...target.server,
      actionMappingDefaults: options.actionMappingDefaults,
      bodyLimitBytes: options.bodyLimitBytes,
      sdkOrigins: options.config.sdkOrigins,
      log: options.log
    })
    const summary = [...target.summary]
    if (options.config.mode === 'qualtrics')
      summary.push(...presetWarnings(context.subscriptions(), context.definition))
    const tracking = await startRuntimeTracking(context, options)
    started.push(tracking)
    const responses = await startRuntimeResponses(options, target)
    if (responses) started.push(responses)
    context.services.tracking = tracking
    context.services.responses = responses
    // The HTTP server closes first, so nothing new is queued while the delivery under way finishes.
    const local = await serveContext(context, options.config.port)
    started.push(local)
    summary.push(...listeningSummary(local.url, target.sandbox, tracking, context.sdkOrigins, responses))
    const { sandbox } = target
    return {
      url: local.url,
      sandbox,
      tracking,
      responses,
      context,
      deliveryLog: context.deliveryLog,
      summary,
      close: closeAll
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
