import { createTrackingApi, TRACKING_ROUTES } from './api'
import type { RepeatedEvent, TrackingRoute } from './api'
import type { RetryPolicy } from './segment-retries'
import { EventQueue } from './queue'
import type { EventRecord } from './queue'
import type { TrackingEvent } from './events'
import { unreadableSummary } from './unreadable'
import type { UnreadableRecords } from './unreadable'
import { DeliveryWorker } from './worker'
import type { Clock, Deliver, DeliveryWorkerOptions } from './worker'

export { BROWSER_SDK_ROUTES, createTrackingApi, TRACKING_ROUTES } from './api'
export type { RepeatedEvent, TrackingRoute } from './api'
export {
  attemptTimes,
  describePolicy,
  retryDelayMs,
  SEGMENT_DESTINATION_RETRIES,
  TRACKING_API_RETRIES
} from './segment-retries'
export type { RetryPolicy } from './segment-retries'
export {
  DEFAULT_QUEUE_FOLDER,
  DEFAULT_RESPONSES_QUEUE_FOLDER,
  LOCAL_FOLDER,
  responsesQueueFolderFromEnv,
  trackingConfigFromEnv
} from './config'
export type { TrackingConfig } from './config'
export { TRACKING_LIMITS } from './events'
export type { TrackingEvent } from './events'
export { FORBIDDEN_FOLDER_VARIABLE, isInside } from './folder-guard'
export { describeRepeat, EventQueue, QueueFull } from './queue'
export type { EventRecord, Repeat, UnreadableRecord, UnreadableRecords } from './queue'
export { UNREADABLE_SUBLEVEL, unreadableSummary } from './unreadable'
export { DeliveryWorker, outcomeOfDeliveries, systemClock } from './worker'
export type { Clock, Deliver, DeliveryResult } from './worker'

/** A queue's state for the console: whose it is, where, what waits, and what was set aside as unreadable. */
export interface QueueState {
  name: string
  folder: string
  pending: number
  finished: number
  unreadable: UnreadableRecords
}

/** The state of an open queue (the tracking API's, or the responses receiver's). */
export function queueStateOf(name: string, queue: EventQueue): QueueState {
  return { name, folder: queue.folder, ...queue.size, unreadable: queue.unreadable }
}

export interface TrackingOptions {
  /** Folder of the durable queue (see trackingConfigFromEnv). */
  queueFolder: string
  writeKey?: string
  deliver: Deliver
  log?: (line: string) => void
  batchSize?: number
  retries?: RetryPolicy
  historyLimit?: number
  maxPending?: number
  clock?: Clock
  random?: () => number
  /** Told the events each accepted request stored, before their delivery starts. */
  onQueued?: (events: TrackingEvent[]) => void
  /** Told each event's outcome once the queue has recorded it. */
  onSettled?: DeliveryWorkerOptions['onSettled']
  /** Told the events not queued because their messageId was already known, with what their sender was answered. */
  onRepeated?: (repeats: RepeatedEvent[]) => void
  /**
   * Forget, on opening, the events finished in earlier runs and their messageIds (waiting ones stay): for a target
   * that starts empty each time (the sandbox), where "already delivered" would refer to what is gone.
   */
  forgetFinished?: boolean
}

export interface Tracking {
  /** Answers the /v1/* Tracking API routes (undefined for any other path); the server sends and logs the answer. */
  answer: TrackingRoute
  /** The newest events, waiting or finished, newest first (for a console). */
  recent(limit?: number): Promise<EventRecord[]>
  size(): { pending: number; finished: number }
  /** The queue's folder, counts and unreadable records set aside (for the console). */
  queue(): QueueState
  /** Forgets the finished events and their messageIds, waiting ones kept (a sandbox reset: see EventQueue). */
  forgetFinished(): Promise<number>
  /** Lines for the server's start-up summary. */
  summary: string[]
  /** Waits for the delivery under way, then closes the queue. Close the HTTP server first, so nothing new arrives. */
  close(): Promise<void>
}

/**
 * Segment's Tracking API for the local server: opens the queue (events a previous run accepted but did not
 * deliver are delivered now), starts the delivery worker and returns the route handler.
 */
export async function startTracking(options: TrackingOptions): Promise<Tracking> {
  const queue = await EventQueue.open({
    folder: options.queueFolder,
    historyLimit: options.historyLimit,
    maxPending: options.maxPending
  })
  const forgotten = options.forgetFinished ? await queue.forgetFinished() : 0
  const worker = new DeliveryWorker({ ...options, queue })
  queue.onEnqueued((events) => {
    options.onQueued?.(events)
    worker.notify()
  })
  worker.start()
  const answer = createTrackingApi({ queue, writeKey: options.writeKey, onRepeated: options.onRepeated })
  const waiting = queue.size.pending
  return {
    answer,
    recent: (limit) => queue.recent(limit),
    size: () => queue.size,
    queue: () => queueStateOf('Segment Tracking API', queue),
    forgetFinished: () => queue.forgetFinished(),
    summary: [
      `Segment Tracking API: POST ${Object.keys(TRACKING_ROUTES).join(', ')} (${options.writeKey ? 'write key required' : 'any write key accepted: set SEGMENT_WRITE_KEY to require one'})`,
      `  queue in ${options.queueFolder}${waiting > 0 ? `, ${waiting} events from an earlier run to deliver` : ''}`,
      ...(forgotten > 0
        ? [`  forgot ${forgotten} events finished with an earlier sandbox: their messageIds may be sent again`]
        : []),
      ...unreadableSummary(queue.unreadable)
    ],
    async close() {
      await worker.close()
      await queue.close()
    }
  }
}
