import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import type { QualtricsState } from '../state'
import upsertContact from '../upsertContact'

/**
 * The key Segment's earlier Qualtrics destination gave "Create or update contact": subscriptions saved under it keep
 * working, with the same implementation and fields (a superset of the earlier ones). Hidden, with no default trigger
 * and no preset, so that an event never runs both this and upsertContact (docs/production.md).
 */
const addContactToXmd = (state: QualtricsState): ActionDefinition<Settings, Payload> => {
  const { defaultSubscription: _notForAnAlias, ...action } = upsertContact(state)
  return {
    ...action,
    description: `${action.description}. Kept for mappings saved under this key; new mappings use "Create or update contact" (upsertContact).`,
    hidden: true
  }
}

export default addContactToXmd
