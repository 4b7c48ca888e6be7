import type { CompletedResponse } from './callback'
import type { SurveyOutline, SurveyResponse } from './qualtrics-api'

/** Segment's limit on one call, alone or in a batch (HTTP Tracking API). */
export const SEGMENT_EVENT_LIMIT_BYTES = 32 * 1024

/** A Segment call as the receiver queues it; `receivedAt` is when the receiver accepted it (the queue orders on it). */
export type SegmentCall = Record<string, unknown> & {
  type: 'track' | 'identify'
  messageId: string
  timestamp: string
  receivedAt: string
  sentAt: string
}

export interface MappingOptions {
  /** The track's event name (default "Survey Response Completed"). */
  eventName: string
  /** An embedded-data field holding the userId; unset: the response's external data reference. */
  userIdField?: string
  /** An embedded-data field holding a Segment anonymousId, used when there is no userId (default "anonymousId"). */
  anonymousIdField: string
  /** Answers (by export tag, or question id) sent as traits of an identify; none: no identify. */
  traitAnswers: string[]
}

export const DEFAULT_EVENT_NAME = 'Survey Response Completed'

/** Response metadata Qualtrics puts among `values`; every other key not a question's is embedded data. */
const RESPONSE_METADATA = new Set([
  'startDate',
  'endDate',
  'status',
  'ipAddress',
  'progress',
  'duration',
  'finished',
  'recordedDate',
  '_recordId',
  'locationLatitude',
  'locationLongitude',
  'distributionChannel',
  'userLanguage',
  'recipientEmail',
  'recipientFirstName',
  'recipientLastName',
  'externalDataReference'
])

/** QID12, QID12_TEXT, QID12_3, QID12_DO: the question id, then what part of it. */
const ANSWER_KEY = /^(QID\d+)(.*)$/

/** A response that cannot become a Segment call, with the reason (permanent: the same response never will). */
export class UnmappableResponse extends Error {
  constructor(
    readonly kind: 'no-identity' | 'too-large',
    message: string
  ) {
    super(message)
  }
}

const idOf = (value: unknown) =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : undefined

/** Answers keyed by export tag where the definition gives one (`Q1_TEXT` for QID1_TEXT), labels likewise. */
function splitValues(response: SurveyResponse, outline: SurveyOutline) {
  const answers: Record<string, unknown> = {}
  const answerLabels: Record<string, unknown> = {}
  const embeddedData: Record<string, unknown> = {}
  const renamed = (key: string) => {
    const match = ANSWER_KEY.exec(key)
    return match ? `${outline.exportTags[match[1]] ?? match[1]}${match[2]}` : undefined
  }
  for (const [key, value] of Object.entries(response.values)) {
    const answerKey = renamed(key)
    if (answerKey !== undefined) answers[answerKey] = value
    else if (!RESPONSE_METADATA.has(key)) embeddedData[key] = value
  }
  for (const [key, label] of Object.entries(response.labels)) {
    const answerKey = renamed(key)
    if (answerKey !== undefined) answerLabels[answerKey] = label
  }
  return { answers, answerLabels, embeddedData }
}

function isoDate(...candidates: unknown[]): string {
  for (const candidate of candidates) {
    const parsed = typeof candidate === 'string' ? Date.parse(candidate) : NaN
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString()
  }
  return new Date().toISOString()
}

const sizeOf = (call: unknown) => Buffer.byteLength(JSON.stringify(call), 'utf8')

/**
 * The Segment calls for one completed response: a `track` (messageId = the response id, so Segment drops a
 * redelivered callback's copy) and, when answers are chosen as traits, an `identify`.
 */
export function buildCalls(
  callback: CompletedResponse,
  response: SurveyResponse,
  outline: SurveyOutline,
  options: MappingOptions,
  now: Date = new Date()
): SegmentCall[] {
  const { values } = response
  const userId = idOf(options.userIdField ? values[options.userIdField] : values.externalDataReference)
  const anonymousId = userId ? undefined : idOf(values[options.anonymousIdField])
  if (!userId && !anonymousId) {
    const from = options.userIdField ? `embedded data "${options.userIdField}"` : 'an external data reference'
    throw new UnmappableResponse(
      'no-identity',
      `response ${callback.responseId} has no identity: neither ${from} nor embedded data "${options.anonymousIdField}"`
    )
  }
  const { answers, answerLabels, embeddedData } = splitValues(response, outline)
  const identity = userId ? { userId } : { anonymousId }
  const timestamp = isoDate(values.endDate, callback.completedDate, values.recordedDate)
  const stamp = { timestamp, receivedAt: now.toISOString(), sentAt: now.toISOString() }
  const email = idOf(values.recipientEmail)
  const context = { library: { name: 'qualtrics-responses', version: '1.0.0' } }
  const track: SegmentCall = {
    type: 'track',
    event: options.eventName,
    messageId: callback.responseId,
    ...identity,
    ...stamp,
    context,
    properties: {
      surveyId: callback.surveyId,
      ...(outline.name ? { surveyName: outline.name } : {}),
      responseId: callback.responseId,
      completedDate: timestamp,
      ...(email ? { recipientEmail: email } : {}),
      embeddedData,
      answers,
      answerLabels
    }
  }
  const calls = [track]
  const traits = Object.fromEntries(
    options.traitAnswers.filter((tag) => answers[tag] !== undefined).map((tag) => [tag, answers[tag]])
  )
  if (Object.keys(traits).length > 0) {
    calls.push({
      type: 'identify',
      messageId: `${callback.responseId}-identify`,
      ...identity,
      ...stamp,
      context,
      traits: { ...(email ? { email } : {}), ...traits }
    })
  }
  for (const call of calls) {
    const size = sizeOf(call)
    if (size > SEGMENT_EVENT_LIMIT_BYTES) {
      throw new UnmappableResponse(
        'too-large',
        `the ${call.type} for response ${callback.responseId} is ${size} bytes, over Segment's ${SEGMENT_EVENT_LIMIT_BYTES} per call`
      )
    }
  }
  return calls
}
