import { ErrorCodes, getErrorCodeFromHttpStatus, MultiStatusResponse } from '@segment/actions-core'
import type { InputField, JSONLikeObject } from '@segment/actions-core'
import { answerOf, cameFromQualtrics, withAnswer } from './client/errors'
import type { Redactor } from './client/redaction'

/** How many Qualtrics requests one batch keeps in flight: small, well inside the 500/minute endpoint limits. */
export const BATCH_CONCURRENCY = 4
/**
 * Default batch sizes. Where a batch saves requests (each contact is resolved or written once per batch, and
 * transactions go many to a request), large batches keep a customer inside Qualtrics' 500/minute limits; where every
 * event is its own request anyway (workflows), smaller batches keep each call short.
 */
export const DEFAULT_BATCH_SIZE = 1000
export const WORKFLOW_BATCH_SIZE = 100
export const MAX_BATCH_SIZE = 1000

/** The monorepo's batching fields, shared by every action, with the action's default size. */
export function batchFields(defaultSize: number): Record<'enable_batching' | 'batch_size', InputField> {
  return {
    enable_batching: {
      label: 'Batch data to Qualtrics',
      description:
        'When enabled, Segment sends events in batches: contacts are resolved once per batch, transactions go out many to a request, and each event still gets its own result.',
      type: 'boolean',
      default: true
    },
    batch_size: {
      label: 'Batch size',
      description: `The most events in one batch (default ${defaultSize}, at most ${MAX_BATCH_SIZE}).`,
      type: 'number',
      minimum: 1,
      maximum: MAX_BATCH_SIZE,
      default: defaultSize,
      unsafe_hidden: true
    }
  }
}

/**
 * What happened to one event: what was sent and what came back, or the error that stopped it, with what was sent
 * for it when the error came after sending (Qualtrics' answer travels on the error, see `withAnswer`).
 */
export type Outcome =
  | { ok: true; sent: JSONLikeObject; body: JSONLikeObject }
  | { ok: false; error: unknown; sent?: JSONLikeObject | string }

export const succeeded = (sent: JSONLikeObject, body: JSONLikeObject): Outcome => ({ ok: true, sent, body })
/** `sent` is what went to Qualtrics for this event; leave it out for an error raised before anything was sent. */
export const failed = (error: unknown, sent?: JSONLikeObject | string): Outcome =>
  sent === undefined ? { ok: false, error } : { ok: false, error, sent }

/**
 * Outcomes by the place of their event in the batch, as each step of a batch path returns what it settled (instead
 * of filling a shared array); the action puts them in order at the end (`inBatchOrder`).
 */
export type Settled = Map<number, Outcome>

/** One settlement for every index of `indices` (the events that share one record or request entry). */
export const settledAll = (indices: readonly number[], outcome: Outcome): Settled =>
  new Map(indices.map((index) => [index, outcome]))

/** Every part's outcomes, a later part's winning for the same event, as one outcome per event of the batch. */
export function inBatchOrder(count: number, ...parts: Settled[]): Outcome[] {
  const all: Settled = new Map(parts.flatMap((part) => [...part]))
  return Array.from({ length: count }, (_, index) => all.get(index) as Outcome)
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index], index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/**
 * Runs `fn` and turns a throw into a failed outcome, so one event's problem never reaches its neighbours. `sent`
 * (what the event sends to Qualtrics) is kept only for an error from a request Qualtrics was sent, not for one
 * raised by checks before sending.
 */
export async function settle(fn: () => Promise<Outcome> | Outcome, sent?: JSONLikeObject | string): Promise<Outcome> {
  try {
    return await fn()
  } catch (error) {
    return failed(error, cameFromQualtrics(error) ? sent : undefined)
  }
}

/**
 * An outcome as Segment is shown it: its message, Qualtrics' answer, what was sent and the result body redacted of
 * the client's secrets. The actions read Qualtrics' answers as they came; this is where what they show of them is
 * redacted, once for every action.
 */
export function redactOutcome(outcome: Outcome, redactor: Redactor): Outcome {
  if (outcome.ok) return succeeded(redactor.value(outcome.sent), redactor.value(outcome.body))
  const error = redactor.error(outcome.error)
  if (cameFromQualtrics(error)) withAnswer(error as Error, redactor.value(answerOf(error)))
  return failed(error, outcome.sent === undefined ? undefined : redactor.value(outcome.sent))
}

/** One entry per event, in order: the status decides what Segment retries (429, 5xx) and what it drops. */
export function toMultiStatus(outcomes: Outcome[]): MultiStatusResponse {
  const response = new MultiStatusResponse()
  outcomes.forEach((outcome, index) => {
    if (outcome.ok) {
      response.setSuccessResponseAtIndex(index, { status: 200, sent: outcome.sent, body: outcome.body })
      return
    }
    const error = outcome.error as { status?: number; message?: string; code?: unknown }
    const status = typeof error?.status === 'number' ? error.status : 500
    // The error's own actions-core code (PAYLOAD_VALIDATION_FAILED, INVALID_AUTHENTICATION) says more than its status,
    // and is what the single-event path reports; the status decides only where there is none.
    const ownCode = typeof error?.code === 'string' && error.code in ErrorCodes ? error.code : undefined
    // `sent` and `body` tell actions-core the destination refused the event, not Segment's integration code.
    const body = answerOf(outcome.error)
    response.setErrorResponseAtIndex(index, {
      status,
      errortype: (ownCode ?? getErrorCodeFromHttpStatus(status) ?? ErrorCodes.UNKNOWN_ERROR) as keyof typeof ErrorCodes,
      errormessage: error?.message ?? String(outcome.error),
      ...(outcome.sent === undefined ? {} : { sent: outcome.sent }),
      ...(body === undefined ? {} : { body })
    })
  })
  return response
}

/** The single-event path: the same work as a batch of one, with the event's error thrown, redacted as a batch's is. */
export function resultOrThrow(outcome: Outcome, redactor: Redactor): JSONLikeObject {
  const shown = redactOutcome(outcome, redactor)
  if (!shown.ok) throw shown.error
  return shown.body
}

/**
 * Runs a batch with a client made for it, its outcomes redacted of that client's secrets. A client that cannot be
 * made (bad settings) fails every event with that error, so the batch still answers one entry per event.
 */
export async function runBatch<P, C extends { redactor: Redactor }>(
  payloads: P[],
  makeClient: () => C,
  run: (client: C, payloads: P[]) => Promise<Outcome[]>
): Promise<Outcome[]> {
  let client: C
  try {
    client = makeClient()
  } catch (error) {
    return payloads.map(() => failed(error))
  }
  return (await run(client, payloads)).map((outcome) => redactOutcome(outcome, client.redactor))
}
