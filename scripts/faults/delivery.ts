/**
 * How the fault run delivers events: batches through the local server with a few in flight, and Segment's retrying
 * on the sandbox clock (events reported retryable are sent again at each moment of the back-off schedule until
 * delivered or the window closes). Each event's outcome says whether it got through and whether some attempt went
 * unanswered.
 */
import type { SandboxClock } from '../../src/sandbox'
import type { EventOutcome } from './outcomes'

export interface DeliveryOptions {
  batchSize?: number
  /** Batches in flight at once. */
  parallelBatches?: number
  log?: (line: string) => void
  /** Told, as each batch comes back, how far the current attempt is (for a terminal's progress line). */
  progress?: (line: string) => void
}

/** The destination's words for a request that got no answer (its noResponseError): the outcome is unknown. */
const NO_ANSWER = /no answer within|the connection failed/

export interface Delivery {
  action: string
  status: number
  retryable: boolean
  errortype?: string
  errormessage?: string
}

/** Where a round's batches go on the local server, and how its answer gives each event's deliveries. */
export interface DeliveryTarget {
  path: string
  body(batch: { messageId: string }[]): unknown
  deliveries(answer: unknown, index: number): Delivery[]
}

/** POST /events: every preset's trigger, as Segment runs them. */
const EVENTS: DeliveryTarget = {
  path: '/events',
  body: (batch) => ({ batch }),
  deliveries: (answer, i) => (answer as { results?: { deliveries: Delivery[] }[] }).results?.[i]?.deliveries ?? []
}

/**
 * Sends `pending` once to the target (POST /events unless told otherwise), in batches with `parallel` in flight. Returns each event's outcome for
 * this attempt (`attempts` is filled in by the caller).
 */
async function sendRound<E extends { messageId: string }>(
  url: string,
  pending: E[],
  batchSize: number,
  parallel: number,
  onBatch: (sent: number) => void,
  target: DeliveryTarget
): Promise<Map<string, Omit<EventOutcome, 'attempts'>>> {
  const results = new Map<string, Omit<EventOutcome, 'attempts'>>()
  const batches: E[][] = []
  for (let i = 0; i < pending.length; i += batchSize) batches.push(pending.slice(i, i + batchSize))
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]
      const response = await fetch(`${url}${target.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(target.body(batch))
      })
      const body = (await response.json()) as { error?: string }
      batch.forEach((event, i) => {
        const deliveries = target.deliveries(body, i)
        if (deliveries.length !== 1) {
          const reason = `expected one delivery, got ${deliveries.length} (${response.status} ${body.error ?? ''})`
          results.set(event.messageId, { delivered: false, status: response.status, retryable: false, reason })
          return
        }
        const [{ status, retryable, errortype, errormessage }] = deliveries
        const delivered = status >= 200 && status < 300
        const unanswered = NO_ANSWER.test(errormessage ?? '')
        results.set(event.messageId, {
          delivered,
          status,
          retryable: !delivered && retryable,
          reason: errortype,
          unanswered
        })
      })
      onBatch(results.size)
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return results
}

/**
 * Segment's retrying: sends every event, then the retryable ones again at each moment of `schedule` (moving the
 * sandbox clock on by the back-off instead of waiting), until none is left or the window closes.
 */
export async function deliverWithRetries<E extends { messageId: string }>(
  url: string,
  clock: SandboxClock,
  events: E[],
  options: DeliveryOptions,
  schedule: number[],
  target: DeliveryTarget = EVENTS
): Promise<{ outcomes: Map<string, EventOutcome>; rounds: number; resent: number }> {
  const log = options.log ?? (() => undefined)
  const outcomes = new Map<string, EventOutcome>()
  let pending = events
  let resent = 0
  let round = 0
  while (pending.length > 0) {
    const attempt = round + 1
    const onBatch = (sent: number) =>
      options.progress?.(`attempt ${attempt}: ${sent}/${pending.length} events sent, ${outcomes.size} with an outcome`)
    const results = await sendRound(
      url,
      pending,
      options.batchSize ?? 100,
      options.parallelBatches ?? 2,
      onBatch,
      target
    )
    round += 1
    const retry = pending.filter((event) => results.get(event.messageId)?.retryable)
    for (const event of pending) {
      const result = results.get(event.messageId)
      const unanswered = result?.unanswered || outcomes.get(event.messageId)?.unanswered
      if (result) outcomes.set(event.messageId, { ...result, unanswered, attempts: round })
    }
    log(`attempt ${round} at +${schedule[round - 1] / 1000} s: ${pending.length} sent, ${retry.length} to retry`)
    if (retry.length === 0) break
    if (round >= schedule.length) {
      for (const event of retry) {
        const last = outcomes.get(event.messageId)!
        last.reason = `still ${last.status} when the retry window closed after ${round} attempts`
      }
      break
    }
    // Segment waits before the next attempt; the sandbox's clock skips that wait, so lags and limits see it pass.
    clock.advance(schedule[round] - schedule[round - 1])
    resent += retry.length
    pending = retry
  }
  return { outcomes, rounds: round, resent }
}
