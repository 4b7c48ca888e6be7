import { CallbackProblem, callbackFields, parseCompletedResponse, type CompletedResponse } from './callback'
import { buildCalls, UnmappableResponse, type MappingOptions, type SegmentCall } from './mapping'
import { CallbackOutcomes, describeOutcome, type CallbackOutcome } from './outcomes'
import { fetchResponse, QualtricsCallError, SurveyOutlineCache, type QualtricsAccess } from './qualtrics-api'
import { checkSignature, SIGNATURE_REASONS } from './signature'

/**
 * Where accepted calls go: durably stored before the callback is answered (the local server wires in its LevelDB
 * queue). A call whose messageId is already stored or recently delivered counts as a duplicate, not again.
 */
export interface CallQueue {
  enqueue(calls: SegmentCall[]): Promise<{ accepted: number; duplicates: number }>
}

export interface ReceiverOptions {
  /** The subscription's shared key (QUALTRICS_SUBSCRIPTION_KEY). */
  sharedKey: string
  qualtrics: QualtricsAccess
  mapping: MappingOptions
  queue: CallQueue
  log?: (line: string) => void
  outcomes?: CallbackOutcomes
}

/** The answer to Qualtrics: the status and a small JSON body saying what happened. */
export interface ReceiverAnswer {
  status: number
  body: { ok: boolean; outcome: CallbackOutcome['outcome']; responseId?: string; reason?: string }
}

type Verdict = Omit<CallbackOutcome, 'at'>

/** Qualtrics' 404 (deleted, unknown) and 401/403 cannot change by retrying the callback; 429/5xx can. */
function fetchFailure(error: QualtricsCallError, callback: CompletedResponse): Verdict {
  const ids = { surveyId: callback.surveyId, responseId: callback.responseId }
  if (error.temporary) return { ...ids, status: 503, outcome: 'temporary-failure', reason: error.message }
  if (error.status === 404) return { ...ids, status: 200, outcome: 'response-gone', reason: error.message }
  return {
    ...ids,
    status: 200,
    outcome: 'response-forbidden',
    reason: `${error.message}: the API token cannot read this survey's responses`
  }
}

/**
 * Qualtrics event-subscription callbacks → Segment calls. Status codes (docs/responses.md): 401 for a missing or
 * wrong signature (nothing is done); 400 for a signed callback whose topic or MSG is not a completed response;
 * 200 when the calls are stored (or were already), and 200 with `ok: false` when the response can never become
 * an event (deleted, unreadable, no identity, too large), so Qualtrics does not retry it; 503 only for what a
 * retry can fix (Qualtrics 429/5xx, the queue's disk).
 */
export class ResponseReceiver {
  readonly outcomes: CallbackOutcomes
  private readonly outlines: SurveyOutlineCache

  constructor(private readonly options: ReceiverOptions) {
    this.outcomes = options.outcomes ?? new CallbackOutcomes()
    this.outlines = new SurveyOutlineCache(options.qualtrics)
  }

  /** Handles one form-encoded callback body. Never throws. */
  async receive(body: string): Promise<ReceiverAnswer> {
    let verdict: Verdict
    try {
      verdict = await this.judge(body)
    } catch (error) {
      verdict = { status: 503, outcome: 'temporary-failure', reason: `internal: ${(error as Error).message}` }
    }
    const outcome: CallbackOutcome = { at: new Date().toISOString(), ...verdict }
    this.outcomes.add(outcome)
    this.options.log?.(describeOutcome(outcome))
    const ok = verdict.outcome === 'queued' || verdict.outcome === 'duplicate'
    return {
      status: verdict.status,
      body: { ok, outcome: verdict.outcome, responseId: verdict.responseId, reason: verdict.reason }
    }
  }

  private async judge(body: string): Promise<Verdict> {
    const fields = callbackFields(body)
    const signature = checkSignature(this.options.sharedKey, fields.msg ?? '', fields.hmac)
    if (signature !== 'ok') return { status: 401, outcome: 'bad-signature', reason: SIGNATURE_REASONS[signature] }
    let callback: CompletedResponse
    try {
      callback = parseCompletedResponse(fields.topic, fields.msg ?? '')
    } catch (error) {
      if (!(error instanceof CallbackProblem)) throw error
      return { status: 400, outcome: error.kind, reason: error.message }
    }
    const ids = { surveyId: callback.surveyId, responseId: callback.responseId }
    let calls: SegmentCall[]
    try {
      const [response, outline] = await Promise.all([
        fetchResponse(this.options.qualtrics, callback.surveyId, callback.responseId),
        this.outlines.get(callback.surveyId)
      ])
      calls = buildCalls(callback, response, outline, this.options.mapping)
    } catch (error) {
      if (error instanceof QualtricsCallError) return fetchFailure(error, callback)
      if (error instanceof UnmappableResponse)
        return { ...ids, status: 200, outcome: error.kind, reason: error.message }
      throw error
    }
    const userId = typeof calls[0].userId === 'string' ? calls[0].userId : undefined
    try {
      const { accepted } = await this.options.queue.enqueue(calls)
      return { ...ids, userId, status: 200, outcome: accepted > 0 ? 'queued' : 'duplicate' }
    } catch (error) {
      return { ...ids, status: 503, outcome: 'temporary-failure', reason: `queue: ${(error as Error).message}` }
    }
  }
}
