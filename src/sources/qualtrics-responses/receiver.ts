import { redactText } from '../../destinations/qualtrics'
import { CallbackProblem, callbackFields, parseCompletedResponse } from './callback'
import type { CompletedResponse } from './callback'
import { buildCalls, UnmappableResponse } from './mapping'
import type { MappingOptions, SegmentCall } from './mapping'
import { CallbackOutcomes, describeOutcome } from './outcomes'
import type { CallbackOutcome } from './outcomes'
import { fetchResponse, QualtricsCallError, SurveyOutlineCache } from './qualtrics-api'
import type { QualtricsAccess } from './qualtrics-api'
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

/**
 * What a failed response fetch means for the callback. A retry of the callback can help after 429/5xx and network
 * faults, and after a 401 or a redirect too: both are this receiver's settings (the token, the datacenter), and
 * answering 200 would lose the response for good. 404 (deleted) and 403 (no permission on this survey) cannot
 * change by retrying; nor can another 4xx.
 */
function fetchFailure(error: QualtricsCallError, callback: CompletedResponse): Verdict {
  const ids = { surveyId: callback.surveyId, responseId: callback.responseId }
  const retry = (reason: string): Verdict => ({ ...ids, status: 503, outcome: 'temporary-failure', reason })
  const final = (outcome: Verdict['outcome'], reason: string): Verdict => ({ ...ids, status: 200, outcome, reason })
  const { status, message } = error
  if (error.temporary) return retry(message)
  if (status === 401) {
    return retry(`${message}: Qualtrics refused the API token (invalid, revoked or for another datacenter)`)
  }
  if (status >= 300 && status < 400) {
    return retry(`${message}: a redirect, not followed so the token goes to the configured host only`)
  }
  if (status === 404) return final('response-gone', message)
  if (status === 403)
    return final('response-forbidden', `${message}: the API token cannot read this survey's responses`)
  const malformed = status === 400 ? ' as malformed' : ''
  return final('response-unreadable', `${message}: Qualtrics refused the request for this response${malformed}`)
}

/**
 * Qualtrics event-subscription callbacks → Segment calls. Status codes (docs/responses.md): 401 for a missing or
 * wrong signature (nothing is done); 400 for a signed callback whose topic or MSG is not a completed response;
 * 200 when the calls are stored (or were already), and 200 with `ok: false` when the response can never become
 * an event (deleted, unreadable, no identity, too large), so Qualtrics does not retry it; 503 only for what a
 * retry can fix (Qualtrics 429/5xx, a refused token or a redirect once the settings are fixed, the queue's disk).
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
    // Reasons quote Qualtrics and other errors: whatever they hold, the token and the shared key leave here.
    const secrets = [this.options.qualtrics.apiToken, this.options.sharedKey]
    if (verdict.reason !== undefined) verdict = { ...verdict, reason: redactText(verdict.reason, secrets) }
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
