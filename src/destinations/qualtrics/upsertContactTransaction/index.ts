import { IntegrationError, type ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { buildContactBody, contactFields, directoryId } from '../contact-fields'
import { directoryChoices, mailingListChoices } from '../dynamic-fields'
import { QualtricsClient } from '../qualtrics-client'
import { MATCH_IDENTIFIERS, resolveContactId } from './resolve-contact'
import { prepareTransaction } from './transaction'

const ONLY_FOR_LOOKUP =
  'This is only used to search for the contact and if a new contact needs to be created, it is not added to the transaction data.'
const ONLY_FOR_CREATE =
  'This is only used if a new contact needs to be created and is not added to the transaction data.'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Upsert contact transaction',
  description:
    'Add a transaction to a contact in Qualtrics directory. If the contact already exists, add the transaction. If the contact does not exist, create the contact first, then add the transaction record.',
  defaultSubscription: 'type = "track" and event = "Transaction Created"',
  fields: {
    directoryId,
    mailingListId: {
      label: 'Mailing list ID',
      description:
        'ID of the mailing list the contact belongs too. If not part of the event payload, create / use an existing mailing list from Qualtrics. Will have the form CG_xxx',
      type: 'string',
      required: true,
      dynamic: true
    },
    contactId: {
      label: 'Contact ID',
      description:
        'The id of the contact to add the transaction. if this field is not supplied, you must supply an external data reference, email and/or phone so a look can be performed. If the lookup does not find a contact, one will be created with these fields and including the optionally supplied firstName, lastName, language, subscribed and embeddedData',
      type: 'string'
    },
    extRef: {
      ...contactFields.extRef,
      description: `${contactFields.extRef.description}. ${ONLY_FOR_LOOKUP}`,
      required: true,
      default: {
        '@if': { exists: { '@path': '$.userId' }, then: { '@path': '$.userId' }, else: { '@path': '$.anonymousId' } }
      }
    },
    email: { ...contactFields.email, description: `${contactFields.email.description}. ${ONLY_FOR_LOOKUP}` },
    phone: { ...contactFields.phone, description: `${contactFields.phone.description}. ${ONLY_FOR_LOOKUP}` },
    firstName: {
      ...contactFields.firstName,
      label: 'First name',
      description: `First name of contact. ${ONLY_FOR_CREATE}`
    },
    lastName: {
      ...contactFields.lastName,
      label: 'Last name',
      description: `Last name of contact. ${ONLY_FOR_CREATE}`
    },
    language: { ...contactFields.language, description: `Language code of the contact. ${ONLY_FOR_CREATE}` },
    unsubscribed: {
      ...contactFields.unsubscribed,
      description:
        'Should the contact be unsubscribed from correspondence. This is only used if a new contact needs to be created and is not added to the transaction.'
    },
    embeddedData: {
      ...contactFields.embeddedData,
      description:
        'Contact embedded data (properties of the contact). These are added to the contact only if a new contact needs to be created not added to the transaction.'
    },
    matchContactBy: {
      label: 'Match contacts by',
      description:
        'Without a Contact ID, the directory is searched by these identifiers one at a time, in this order: the first that matches exactly one contact is used, several matches is an error, and no match on any creates the contact. Identifiers the event has no value for are skipped.',
      type: 'string',
      multiple: true,
      choices: [
        { label: 'External Data Reference', value: 'extRef' },
        { label: 'Email', value: 'email' },
        { label: 'Phone number', value: 'phone' }
      ],
      default: MATCH_IDENTIFIERS
    },
    transactionDate: {
      label: 'Date & time of transaction',
      description: 'Date and time of when the transaction occurred. Sent to Qualtrics in UTC.',
      type: 'datetime',
      default: { '@path': '$.timestamp' }
    },
    transactionData: {
      label: 'Transaction data',
      description:
        'Properties of the transaction too add to the users record. Strings, numbers and booleans are sent as they are; a nested object or array is sent as JSON text under its own key.',
      type: 'object',
      defaultObjectUI: 'keyvalue',
      default: { '@path': '$.properties' }
    },
    messageId: {
      label: 'Transaction key (Message ID)',
      description:
        'Keys the transaction in the request to Qualtrics, so each result maps back to its event and a retried event keeps its key. Leave it as the event messageId.',
      type: 'string',
      required: true,
      default: { '@path': '$.messageId' }
    }
  },
  dynamicFields: {
    directoryId: (request, { settings }) => directoryChoices(request, settings),
    mailingListId: (request, { settings, payload }) => mailingListChoices(request, settings, payload?.directoryId)
  },
  perform: async (request, { settings, payload }) => {
    const { key, entry } = prepareTransaction(payload)
    const contact = buildContactBody(payload)
    const client = new QualtricsClient(request, settings)
    const resolved = payload.contactId?.trim()
      ? { contactId: payload.contactId.trim(), source: 'given' as const }
      : await resolveContactId(client, payload.directoryId, contact, payload.matchContactBy)
    const transaction = { ...entry, contactId: resolved.contactId }
    const result = await client.createTransactions(payload.directoryId, { [key]: transaction })
    const transactionId = result.createdTransactions?.[key]?.id
    if (!transactionId) {
      const rejected = result.unprocessedTransactions?.[key]
      throw new IntegrationError(
        `Qualtrics did not add the transaction: ${rejected?.errorMessage ?? rejected?.error ?? 'it is in neither createdTransactions nor unprocessedTransactions'}`,
        'TRANSACTION_UNPROCESSED',
        400
      )
    }
    return { transactionId, contactId: resolved.contactId, contact: resolved.source, sent: { [key]: transaction } }
  }
}

export default action
