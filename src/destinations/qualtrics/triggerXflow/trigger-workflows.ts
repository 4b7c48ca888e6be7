import { PayloadValidationError, type JSONLikeObject } from '@segment/actions-core'
import { BATCH_CONCURRENCY, mapWithConcurrency, settle, succeeded, type Outcome } from '../batching'
import type { QualtricsClient } from '../client'
import type { Payload } from './generated-types'

/** One workflow run per event (a workflow run is an event, never merged), a few in flight at a time. */
export function triggerWorkflows(client: QualtricsClient, payloads: Payload[]): Promise<Outcome[]> {
  return mapWithConcurrency(payloads, BATCH_CONCURRENCY, (payload) => {
    const body = (payload.eventPayload ?? {}) as JSONLikeObject
    return settle(async () => {
      const basic = payload.authMethod === 'basic'
      const username = payload.username?.trim()
      if (basic && !username)
        throw new PayloadValidationError('Qualtrics username is missing: Basic authentication needs it.')
      const response = await client.triggerWorkflow(payload.workflowUrl, body, basic ? username : undefined)
      return succeeded(body, { workflowResponse: (response ?? {}) as JSONLikeObject })
    }, body)
  })
}
