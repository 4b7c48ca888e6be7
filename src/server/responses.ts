import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolve } from 'node:path'
import { Redactor } from '../destinations/qualtrics'
import {
  handleResponsesRoute,
  receiverConfigFromEnv,
  ResponseReceiver,
  segmentDelivery
} from '../sources/qualtrics-responses'
import type { CallbackOutcome, QualtricsAccess, SegmentCall } from '../sources/qualtrics-responses'
import { DeliveryWorker, EventQueue, queueStateOf, unreadableSummary } from './tracking'
import type { Clock, EventRecord, QueueState, RetryPolicy, TrackingEvent } from './tracking'

export { DEFAULT_RESPONSES_QUEUE_FOLDER } from './tracking'

/** Answers POST /qualtrics/responses (the caller matched the path); resolves to the status sent. */
export type ResponsesHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>
) => Promise<number>

export interface ResponsesOptions {
  env: NodeJS.ProcessEnv
  qualtrics: QualtricsAccess
  /** `npm start` passes responsesQueueFolderFromEnv(process.env); tests and scripts a temporary folder. */
  queueFolder: string
  log?: (line: string) => void
  retries?: RetryPolicy
  clock?: Clock
  random?: () => number
}

export interface Responses {
  handle: ResponsesHandler
  /** The newest callbacks and what became of each, newest first. */
  outcomes(): CallbackOutcome[]
  /** The queued Segment calls, waiting or finished, newest first. */
  recent(limit?: number): Promise<EventRecord[]>
  /** The queue's folder, counts and unreadable records set aside (for the console). */
  queue(): QueueState
  summary: string[]
  close(): Promise<void>
}

/**
 * The Qualtrics responses receiver (src/sources/qualtrics-responses/) on the local server's durable queue: a
 * callback is answered once its Segment calls are on disk, and a delivery worker sends them to Segment with the
 * write key, retrying 429/5xx with back-off, across restarts. Every log line is redacted of the shared key, the
 * write key and the Qualtrics token.
 */
export async function startResponses(options: ResponsesOptions): Promise<Responses> {
  const config = receiverConfigFromEnv(options.env)
  const redactor = new Redactor([config.sharedKey, config.writeKey, options.qualtrics.apiToken])
  const log = (line: string) => options.log?.(redactor.text(line))
  const folder = resolve(options.queueFolder)
  const queue = await EventQueue.open({ folder })
  const deliver = segmentDelivery({ host: config.segmentHost, writeKey: config.writeKey })
  const worker = new DeliveryWorker({
    queue,
    deliver: (events: TrackingEvent[]) => deliver(events as unknown as SegmentCall[]),
    retries: options.retries,
    clock: options.clock,
    random: options.random,
    log: (line) => log(`Segment delivery: ${line}`)
  })
  queue.onEnqueued(() => worker.notify())
  worker.start()
  const receiver = new ResponseReceiver({
    sharedKey: config.sharedKey,
    qualtrics: options.qualtrics,
    mapping: config.mapping,
    log,
    queue: { enqueue: (calls) => queue.enqueue(calls as unknown as TrackingEvent[], () => 'qualtrics') }
  })
  const waiting = queue.size.pending
  return {
    handle: (req, res, headers) => handleResponsesRoute(receiver, req, res, headers),
    outcomes: () => receiver.outcomes.list(),
    recent: (limit) => queue.recent(limit),
    queue: () => queueStateOf('Qualtrics responses receiver', queue),
    summary: [
      `Qualtrics responses: POST /qualtrics/responses → Segment at ${config.segmentHost} (event "${config.mapping.eventName}")`,
      `  queue in ${folder}${waiting > 0 ? `, ${waiting} calls from an earlier run to deliver` : ''}`,
      ...unreadableSummary(queue.unreadable)
    ],
    async close() {
      await worker.close()
      await queue.close()
    }
  }
}
