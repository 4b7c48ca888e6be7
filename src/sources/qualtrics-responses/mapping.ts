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

/** `{userId}` from the external data reference (or the mapped field), else `{anonymousId}`, else refused. */
function identityOf(callback: CompletedResponse, values: Record<string, unknown>, options: MappingOptions) {
  const userId = idOf(options.userIdField ? values[options.userIdField] : values.externalDataReference)
  if (userId) return { userId }
  const anonymousId = idOf(values[options.anonymousIdField])
  if (anonymousId) return { anonymousId }
  const from = options.userIdField ? `embedded data "${options.userIdField}"` : 'an external data reference'
  throw new UnmappableResponse(
    'no-identity',
    `response ${callback.responseId} has no identity: neither ${from} nor embedded data "${options.anonymousIdField}"`
  )
}

function checkSize(call: SegmentCall, responseId: string): SegmentCall {
  const size = sizeOf(call)
  if (size <= SEGMENT_EVENT_LIMIT_BYTES) return call
  throw new UnmappableResponse(
    'too-large',
    `the ${call.type} for response ${responseId} is ${size} bytes, over Segment's ${SEGMENT_EVENT_LIMIT_BYTES} per call`
  )
}

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
  const identity = identityOf(callback, values, options)
  const { answers, answerLabels, embeddedData } = splitValues(response, outline)
  const timestamp = isoDate(values.endDate, callback.completedDate, values.recordedDate)
  const common = {
    ...identity,
    timestamp,
    receivedAt: now.toISOString(),
    sentAt: now.toISOString(),
    context: { library: { name: 'qualtrics-responses', version: '1.0.0' } }
  }
  const email = idOf(values.recipientEmail)
  const track: SegmentCall = {
    type: 'track',
    event: options.eventName,
    messageId: callback.responseId,
    ...common,
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
  const chosen = options.traitAnswers.filter((tag) => answers[tag] !== undefined)
  const traits = { ...(email ? { email } : {}), ...Object.fromEntries(chosen.map((tag) => [tag, answers[tag]])) }
  const identify: SegmentCall = { type: 'identify', messageId: `${callback.responseId}-identify`, ...common, traits }
  return (chosen.length > 0 ? [track, identify] : [track]).map((call) => checkSize(call, callback.responseId))
}
