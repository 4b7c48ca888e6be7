import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import type { QualtricsState } from '../state'
import triggerXflow from '../triggerXflow'
import { hiddenAlias } from '../hidden-alias'

/** The key Segment's earlier Qualtrics destination gave "Start a workflow" (hidden-alias.ts). */
const triggerXflowWorkflow = (state: QualtricsState): ActionDefinition<Settings, Payload> =>
  hiddenAlias(triggerXflow(state), 'Start a workflow in Qualtrics', 'triggerXflow')

export default triggerXflowWorkflow
