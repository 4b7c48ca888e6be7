/** A completed-response callback, as Qualtrics posts it (form-encoded Topic, MSG, HMAC) once checked. */
export interface CompletedResponse {
  topic: string
  surveyId: string
  responseId: string
  completedDate?: string
  brandId?: string
  recipientId?: string
}

export interface CallbackFields {
  topic?: string
  msg?: string
  hmac?: string
}

/** A survey id, as the callbacks, the subscriptions and the response calls of the source all take it. */
const SURVEY_ID_PATTERN = 'SV_[A-Za-z0-9]{1,40}'
const SURVEY_ID = new RegExp(`^${SURVEY_ID_PATTERN}$`)
const RESPONSE_ID = /^R_[A-Za-z0-9]{1,40}$/
/** `<brand>.surveyengine.completedResponse.<SV_…>`; the brand prefix is optional, as the subscription omits it. */
const COMPLETED_TOPIC = new RegExp(
  `^(?:([A-Za-z0-9_-]+)\\.)?surveyengine\\.completedResponse\\.(${SURVEY_ID_PATTERN})$`
)

export const isSurveyId = (value: string): boolean => SURVEY_ID.test(value)

/** The three fields of a form-encoded body; anything else in it is ignored. */
export function callbackFields(body: string): CallbackFields {
  const form = new URLSearchParams(body)
  return {
    topic: form.get('Topic') ?? undefined,
    msg: form.get('MSG') ?? undefined,
    hmac: form.get('HMAC') ?? undefined
  }
}

/** A permanent problem with a callback: retrying the same callback cannot fix it. */
export class CallbackProblem extends Error {
  constructor(
    readonly kind: 'unknown-topic' | 'malformed-msg',
    message: string
  ) {
    super(message)
  }
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)

/** Reads the topic and MSG of a signed callback; throws CallbackProblem saying which part is wrong. */
export function parseCompletedResponse(topic: string | undefined, msg: string): CompletedResponse {
  const match = COMPLETED_TOPIC.exec(topic ?? '')
  if (!match) {
    throw new CallbackProblem(
      'unknown-topic',
      `topic ${JSON.stringify((topic ?? '').slice(0, 120))} is not surveyengine.completedResponse.<SV_…>`
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(msg)
  } catch {
    throw new CallbackProblem('malformed-msg', 'MSG is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CallbackProblem('malformed-msg', 'MSG is not a JSON object')
  }
  const fields = parsed as Record<string, unknown>
  const surveyId = text(fields.SurveyID)
  const responseId = text(fields.ResponseID)
  if (!surveyId || !isSurveyId(surveyId))
    throw new CallbackProblem('malformed-msg', 'MSG.SurveyID is not a survey id (SV_…)')
  if (!responseId || !RESPONSE_ID.test(responseId)) {
    throw new CallbackProblem('malformed-msg', 'MSG.ResponseID is not a response id (R_…)')
  }
  if (surveyId !== match[2]) {
    throw new CallbackProblem('malformed-msg', `MSG.SurveyID ${surveyId} is not the topic's survey ${match[2]}`)
  }
  return {
    topic: topic as string,
    surveyId,
    responseId,
    completedDate: text(fields.CompletedDate),
    brandId: text(fields.BrandID) ?? match[1],
    recipientId: text(fields.RecipientID)
  }
}
