import { attemptTimes, retryDelayMs, TRACKING_API_RETRIES } from './segment-retries'
import type { RetryPolicy } from './segment-retries'
import type { TrackingEvent } from './events'
import type { EventQueue, QueuedEvent, Settlement } from './queue'

/** One event's delivery outcome: its status, and whether trying again later could succeed (429, 5xx, timeouts). */
export interface DeliveryResult {
  status: number
  retryable: boolean
  error?: string
}

/** Delivers a batch of events; answers one result per event, in the same order. */
export type Deliver = (events: TrackingEvent[]) => Promise<DeliveryResult[]>

/** Time, injectable so back-off can be tested without waiting. `sleep` ends early when `wake` aborts. */
export interface Clock {
  now(): number
  sleep(ms: number, wake: AbortSignal): Promise<void>
}

const MAX_TIMER_MS = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, wake) =>
    new Promise<void>((resolve) => {
      if (wake.aborted) return resolve()
      const done = () => {
        clearTimeout(timer)
        wake.removeEventListener('abort', done)
        resolve()
      }
      // Nothing to wait for but a wake-up: no timer, so an idle worker does not keep the process alive.
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS)) : undefined
      wake.addEventListener('abort', done)
    })
}

export interface DeliveryWorkerOptions {
  queue: EventQueue
  deliver: Deliver
  /** Events handed to `deliver` at once (default 100). */
  batchSize?: number
  /** How failures are retried (default TRACKING_API_RETRIES). */
  retries?: RetryPolicy
  clock?: Clock
  random?: () => number
  log?: (line: string) => void
  /** Told each event's outcome once it is recorded (a console's log follows the queue with it). */
  onSettled?: (outcomes: Array<{ messageId: string; outcome: Settlement['outcome'] }>) => void
}

/** A store or delivery fault outside any event (not an event's outcome): wait this long, then look again. */
const FAULT_PAUSE_MS = 1000

/**
 * Takes due events from the queue, one batch at a time, hands them to `deliver` and records each outcome:
 * 2xx is delivered; a retryable failure waits its back-off and goes again while the retry policy allows; anything else,
 * or the last attempt, is failed for good. A `deliver` that throws, or answers the wrong number of results,
 * counts as a retryable failure of the whole batch.
 */
export class DeliveryWorker {
  private readonly clock: Clock
  private readonly retries: RetryPolicy
  private readonly maxAttempts: number
  private wake = new AbortController()
  private running?: Promise<void>
  private closing = false

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.clock = options.clock ?? systemClock
    this.retries = options.retries ?? TRACKING_API_RETRIES
    this.maxAttempts = attemptTimes(this.retries).length
  }

  start(): void {
    this.running ??= this.loop()
  }

  /** New events were queued: stop waiting for the next retry and look now. */
  notify(): void {
    this.wake.abort()
  }

  /** Stops taking batches and waits for the delivery under way to finish and be recorded. */
  async close(): Promise<void> {
    this.closing = true
    this.notify()
    await this.running
  }

  private async loop(): Promise<void> {
    while (!this.closing) {
      // Taken before looking, so a notify() that lands while we look still cuts the coming sleep short.
      if (this.wake.signal.aborted) this.wake = new AbortController()
      const signal = this.wake.signal
      try {
        const now = this.clock.now()
        const due = await this.options.queue.due(now, this.options.batchSize ?? 100)
        if (due.length > 0) {
          await this.deliverBatch(due)
          continue
        }
        const next = await this.options.queue.nextDueAt()
        await this.clock.sleep(next === undefined ? Infinity : next - now, signal)
      } catch (error) {
        this.options.log?.(`Event delivery paused after a queue error: ${(error as Error).message}`)
        await this.clock.sleep(FAULT_PAUSE_MS, signal)
      }
    }
  }

  private async deliverBatch(entries: QueuedEvent[]): Promise<void> {
    const results = await this.tryDeliver(entries.map((entry) => entry.event))
    const now = this.clock.now()
    const at = new Date(now).toISOString()
    // One draw per batch: events that failed together stay in arrival order when they are retried.
    const jitter = (this.options.random ?? Math.random)()
    const settlements = entries.map((entry, i): Settlement => {
      const { status, retryable, error } = results[i]
      const attempt = { at, status, ...(error ? { error } : {}) }
      const tries = entry.attempts.length + 1
      if (status >= 200 && status < 300) return { entry, attempt, outcome: 'delivered' }
      if (!retryable || tries >= this.maxAttempts) return { entry, attempt, outcome: 'failed' }
      const retryAt = now + retryDelayMs(tries, this.retries, () => jitter)
      return { entry, attempt, outcome: 'retry', retryAt }
    })
    await this.options.queue.settle(settlements)
    this.options.onSettled?.(settlements.map((s) => ({ messageId: s.entry.event.messageId, outcome: s.outcome })))
    const count = (outcome: Settlement['outcome']) => settlements.filter((s) => s.outcome === outcome).length
    this.options.log?.(
      `Delivered ${count('delivered')} of ${entries.length} queued events (${count('retry')} to retry, ${count('failed')} failed)`
    )
  }

  private async tryDeliver(events: TrackingEvent[]): Promise<DeliveryResult[]> {
    const failAll = (error: string) => events.map(() => ({ status: 500, retryable: true, error }))
    try {
      const results = await this.options.deliver(events)
      if (Array.isArray(results) && results.length === events.length) return results
      return failAll(
        `deliver answered ${Array.isArray(results) ? results.length : 'no'} results for ${events.length} events`
      )
    } catch (error) {
      return failAll(`deliver threw: ${(error as Error).message}`)
    }
  }
}

/**
 * One event's outcome from its deliveries to each subscription it matched (POST /events' `deliveries`): failed if
 * any failed (retryable when any failure is), delivered otherwise, including when no subscription selected it.
 * A retry runs every subscription again, as Segment's own retries do.
 */
export function outcomeOfDeliveries(
  deliveries: Array<{ status: number; retryable: boolean; errormessage?: string; action?: string }>
): DeliveryResult {
  const failures = deliveries.filter((d) => d.status < 200 || d.status >= 300)
  if (failures.length === 0) return { status: 200, retryable: false }
  const worst = failures.find((d) => d.retryable) ?? failures[0]
  const error = failures.map((d) => `${d.action ?? 'delivery'}: ${d.status} ${d.errormessage ?? ''}`.trim()).join('; ')
  return { status: worst.status, retryable: worst.retryable, error }
}
