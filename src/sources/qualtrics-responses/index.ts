/**
 * The way back: Qualtrics event-subscription callbacks (a completed survey response) → Segment's Tracking API,
 * with only a source write key. Imports Node, its own code and, from the destination's public face (its index.ts),
 * three rules both directions must share: what retries, how secrets are redacted and what is loopback. The host
 * process hands in the durable queue and the checked Qualtrics origin.
 */
export { callbackFields, parseCompletedResponse, CallbackProblem, type CompletedResponse } from './callback'
export { receiverConfigFromEnv, type ReceiverConfig } from './config'
export { CALLBACK_BODY_LIMIT_BYTES, FORM_CONTENT_TYPE, handleResponsesRoute, RESPONSES_ROUTE } from './http-route'
export {
  buildCalls,
  DEFAULT_EVENT_NAME,
  SEGMENT_EVENT_LIMIT_BYTES,
  UnmappableResponse,
  type MappingOptions,
  type SegmentCall
} from './mapping'
export { CallbackOutcomes, describeOutcome, type CallbackOutcome } from './outcomes'
export { callQualtrics, fetchResponse, QualtricsCallError, type QualtricsAccess } from './qualtrics-api'
export { ResponseReceiver, type CallQueue, type ReceiverAnswer, type ReceiverOptions } from './receiver'
export {
  batchesOf,
  SEGMENT_BATCH_LIMIT_BYTES,
  SEGMENT_HOSTS,
  segmentDelivery,
  segmentHost,
  type CallResult,
  type SegmentTarget
} from './segment-delivery'
export { checkSignature, signMessage, type SignatureCheck } from './signature'
export {
  completedResponseTopic,
  listSubscriptions,
  newSharedKey,
  subscribe,
  unsubscribe,
  type Subscription
} from './subscriptions'
