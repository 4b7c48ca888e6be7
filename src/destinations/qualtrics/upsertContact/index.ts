import { PayloadValidationError, type ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { buildContactBody, contactFields, directoryId } from '../contact-fields'
import { directoryChoices } from '../dynamic-fields'
import { QualtricsClient } from '../qualtrics-client'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Create and/or update contact in XM Directory',
  description:
    'Create and/or update contact in XM Directory. Updating is handled by contact deduplication in your directory settings. If deduplication is setup correctly this action will perform UPSERT operations on contacts',
  defaultSubscription: 'type = "identify"',
  fields: {
    directoryId,
    ...contactFields
  },
  dynamicFields: {
    directoryId: (request, { settings }) => directoryChoices(request, settings)
  },
  perform: async (request, { settings, payload }) => {
    const contact = buildContactBody(payload)
    if (!contact.extRef && !contact.email && !contact.phone) {
      throw new PayloadValidationError(
        'The contact has no identifier: map at least one of External Data Reference, Email or Phone number.'
      )
    }
    const client = new QualtricsClient(request, settings)
    const contactId = await client.createContact(payload.directoryId, contact)
    return { contactId, directoryId: payload.directoryId, sent: contact }
  }
}

export default action
