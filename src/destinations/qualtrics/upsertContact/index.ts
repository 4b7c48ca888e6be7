import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { batchFields, DEFAULT_BATCH_SIZE, resultOrThrow, runBatch, toMultiStatus } from '../batching'
import { contactFields, directoryId } from '../contacts/contact-fields'
import { directoryChoices } from '../dynamic-fields'
import { QualtricsClient } from '../client'
import { recordBatchSize } from '../client/stats'
import { upsertContacts } from './upsert-contacts'

const action: ActionDefinition<Settings, Payload> = {
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
    directoryId: (request, { settings, stateContext }) => directoryChoices(request, settings, stateContext)
  },
  perform: async (request, { settings, payload, stateContext, statsContext }) => {
    const client = new QualtricsClient(request, settings, { stateContext, statsContext })
    const [outcome] = await upsertContacts(client, [payload])
    return resultOrThrow(outcome, client.redactor)
  },
  performBatch: async (request, { settings, payload, stateContext, statsContext }) => {
    recordBatchSize(statsContext, 'upsertContact', payload.length)
    const client = () => QualtricsClient.forBatch(request, settings, { stateContext, statsContext })
    return toMultiStatus(await runBatch(payload, client, upsertContacts))
  }
}

export default action
