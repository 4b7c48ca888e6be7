import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { batchFields, DEFAULT_BATCH_SIZE, resultOrThrow, runBatch, toMultiStatus } from '../batching'
import { contactFields, directoryId } from '../contacts/contact-fields'
import { directoryChoices } from '../dynamic-fields'
import { QualtricsClient } from '../client'
import { recordBatchSize } from '../client/stats'
import type { QualtricsState } from '../state'
import { upsertContacts } from './upsert-contacts'

/** The action, for a destination instance's state (state.ts). */
const upsertContact = (state: QualtricsState): ActionDefinition<Settings, Payload> => ({
  title: 'Create and/or update contact in XM Directory',
  description:
    'Create and/or update contact in XM Directory. Updating is handled by contact deduplication in your directory settings. If deduplication is setup correctly this action will perform UPSERT operations on contacts',
  defaultSubscription: 'type = "identify"',
  fields: {
    directoryId,
    ...contactFields,
    ...batchFields(DEFAULT_BATCH_SIZE)
  },
  dynamicFields: {
    directoryId: (request, { settings, stateContext }) => directoryChoices(request, settings, state, stateContext)
  },
  perform: async (request, { settings, payload, stateContext, statsContext }) => {
    const client = new QualtricsClient(request, settings, state, { stateContext, statsContext })
    const [outcome] = await upsertContacts(client, state, [payload])
    return resultOrThrow(outcome, client.redactor)
  },
  performBatch: async (request, { settings, payload, stateContext, statsContext }) => {
    recordBatchSize(statsContext, 'upsertContact', payload.length)
    const client = () => QualtricsClient.forBatch(request, settings, state, { stateContext, statsContext })
    return toMultiStatus(
      await runBatch(payload, client, (batchClient, payloads) => upsertContacts(batchClient, state, payloads))
    )
  }
})

export default upsertContact
