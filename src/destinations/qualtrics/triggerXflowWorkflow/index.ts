import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import type { QualtricsState } from '../state'
import triggerXflow from '../triggerXflow'

/**
 * The key Segment's earlier Qualtrics destination gave "Start a workflow": subscriptions saved under it keep working,
 * with the same implementation and fields (a superset of the earlier ones). Hidden, with no default trigger and no
 * preset, so that an event never runs both this and triggerXflow (docs/production.md).
 */
const triggerXflowWorkflow = (state: QualtricsState): ActionDefinition<Settings, Payload> => {
  const { defaultSubscription: _notForAnAlias, ...action } = triggerXflow(state)
  return {
    ...action,
    description: `${action.description}. Kept for mappings saved under this key; new mappings use "Start a workflow in Qualtrics" (triggerXflow).`,
    hidden: true
  }
}

export default triggerXflowWorkflow
