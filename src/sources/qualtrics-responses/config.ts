import { DEFAULT_EVENT_NAME } from './mapping'
import type { MappingOptions } from './mapping'
import { segmentHost } from './segment-delivery'

/** The receiver's settings from the environment (docs/responses.md lists them). */
export interface ReceiverConfig {
  sharedKey: string
  writeKey: string
  segmentHost: string
  mapping: MappingOptions
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)

/**
 * QUALTRICS_SUBSCRIPTION_KEY and SEGMENT_WRITE_KEY are required; SEGMENT_API_HOST (`us`, `eu` or a URL),
 * RESPONSES_EVENT_NAME, RESPONSES_USER_ID_FIELD, RESPONSES_ANONYMOUS_ID_FIELD and RESPONSES_TRAIT_ANSWERS are not.
 * Throws saying which variable is missing or wrong (never a value).
 */
export function receiverConfigFromEnv(env: NodeJS.ProcessEnv): ReceiverConfig {
  const sharedKey = env.QUALTRICS_SUBSCRIPTION_KEY?.trim()
  const writeKey = env.SEGMENT_WRITE_KEY?.trim()
  if (!sharedKey) throw new Error('QUALTRICS_SUBSCRIPTION_KEY is not set: give the shared key of the subscription.')
  if (!writeKey) throw new Error('SEGMENT_WRITE_KEY is not set: give the write key of the Segment source to send to.')
  return {
    sharedKey,
    writeKey,
    segmentHost: segmentHost(env.SEGMENT_API_HOST),
    mapping: {
      eventName: env.RESPONSES_EVENT_NAME?.trim() || DEFAULT_EVENT_NAME,
      userIdField: env.RESPONSES_USER_ID_FIELD?.trim() || undefined,
      anonymousIdField: env.RESPONSES_ANONYMOUS_ID_FIELD?.trim() || 'anonymousId',
      traitAnswers: list(env.RESPONSES_TRAIT_ANSWERS)
    }
  }
}
