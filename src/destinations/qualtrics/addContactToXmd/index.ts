import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import type { QualtricsState } from '../state'
import upsertContact from '../upsertContact'
import { hiddenAlias } from '../hidden-alias'

/** The key Segment's earlier Qualtrics destination gave "Create or update contact" (hidden-alias.ts). */
const addContactToXmd = (state: QualtricsState): ActionDefinition<Settings, Payload> =>
  hiddenAlias(upsertContact(state), 'Create or update contact', 'upsertContact')

export default addContactToXmd
