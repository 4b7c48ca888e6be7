import { PayloadValidationError } from '@segment/actions-core'
import type { JSONLikeObject } from '@segment/actions-core'
import { mapWithConcurrency, settle, succeeded } from '../batching'
import type { Outcome } from '../batching'
import type { QualtricsClient } from '../client'
import type { LimitRegistry } from '../client/adaptive-limit'
import type { Payload } from './generated-types'

/**
 * One workflow run per event (a workflow run is an event, never merged). How many are in flight is the account's
 * adaptive limit, shared with every other batch and single event of the instance: workflow runs count only against
 * the brand's 3,000/minute, so the limit grows while Qualtrics answers fast and backs off when it pushes back.
 */
export function triggerWorkflows(
  client: QualtricsClient,
  payloads: Payload[],
  limits: LimitRegistry
): Promise<Outcome[]> {
  const limit = limits.for(client.account)
  return mapWithConcurrency(payloads, limits.maxInFlight, (payload) => {
    const body = (payload.eventPayload ?? {}) as JSONLikeObject
    return settle(async () => {
      const basic = payload.authMethod === 'basic'
      const username = payload.username?.trim()
      if (basic && !username)
        throw new PayloadValidationError('Qualtrics username is missing: Basic authentication needs it.')
      const response = await client.triggerWorkflow(payload.workflowUrl, body, basic ? username : undefined, limit)
      return succeeded(body, { workflowResponse: (response ?? {}) as JSONLikeObject })
    }, body)
  })
}
