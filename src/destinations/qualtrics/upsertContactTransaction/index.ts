import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { batchFields, DEFAULT_BATCH_SIZE, resultOrThrow, runBatch, toMultiStatus } from '../batching'
import { contactFields, directoryId } from '../contacts/contact-fields'
import { directoryChoices, mailingListChoices } from '../dynamic-fields'
import { QualtricsClient } from '../client'
import { recordBatchSize } from '../client/stats'
import { addTransactions } from './add-transactions'
import { BULK_IMPORT_FIELD } from './import-field'
import { importTransactions } from './import-transactions'
import { multipleMatchesField } from '../contacts/multiple-matches'
import { MATCH_IDENTIFIERS } from '../contacts/resolve-contact'
import type { QualtricsState } from '../state'
import { MESSAGE_ID_DATA_KEY } from './transaction'

const ONLY_FOR_LOOKUP =
  'This is only used to search for the contact and if a new contact needs to be created, it is not added to the transaction data.'
const ONLY_FOR_CREATE =
  'This is only used if a new contact needs to be created and is not added to the transaction data.'

/** The action, for a destination instance's state (state.ts). */
const upsertContactTransaction = (state: QualtricsState): ActionDefinition<Settings, Payload> => ({
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
        'Without a Contact ID, the directory is searched by these identifiers one at a time, in this order: the first that matches is used (see "When several contacts match"), and no match on any creates the contact. A contact whose External Data Reference differs from the event\'s, even only in case, is another person and never matches. Identifiers the event has no value for are skipped. In a batch, events that share an External Data Reference, email (ignoring case) or phone number are one person, looked up once, unless their External Data References differ. A contact created or found in the last hour (by this process, or as the runtime\'s shared state remembers) is used without searching again.',
      type: 'string',
      multiple: true,
      choices: [
        { label: 'External Data Reference', value: 'extRef' },
        { label: 'Email', value: 'email' },
        { label: 'Phone number', value: 'phone' }
      ],
      default: MATCH_IDENTIFIERS
    },
    multipleMatches: multipleMatchesField,
    contactLookup: {
      label: 'Contact lookup',
      description:
        '"Search" (default) finds the contact as described under "Match contacts by" and creates it only when none matches; contact fields are used only for a new contact. "Directory deduplication" sends one create request and lets the directory\'s deduplication settings match an existing contact, which then is updated with the event\'s contact fields: half the requests for new contacts. It is used only when the directory deduplicates on fields the event has; otherwise the action searches. In either mode, a contact created or found in the last hour (by this process or, through the runtime\'s shared state, another) is used without a request (so its fields are not updated again).',
      type: 'string',
      choices: [
        { label: 'Search', value: 'search' },
        { label: 'Directory deduplication', value: 'deduplication' }
      ],
      default: 'search'
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
        'Keys the transaction in the request to Qualtrics, so each result maps back to its event and a retried event keeps its key. Leave it as the event messageId. Not required, so that mappings saved before it existed keep working: without it the transaction is keyed by its place in the request and no message ID is recorded.',
      type: 'string',
      default: { '@path': '$.messageId' }
    },
    recordMessageId: {
      label: 'Record the message ID in the transaction data',
      description: `Adds the transaction key (the event messageId) to the transaction data as "${MESSAGE_ID_DATA_KEY}". A request that times out may still have been stored by Qualtrics, and Segment then sends the event again: with this on, such a duplicate can be recognised in Qualtrics.`,
      type: 'boolean',
      default: true
    },
    bulkImport: BULK_IMPORT_FIELD,
    ...batchFields(DEFAULT_BATCH_SIZE)
  },
  dynamicFields: {
    directoryId: (request, { settings, stateContext }) => directoryChoices(request, settings, state, stateContext),
    mailingListId: (request, { settings, payload, stateContext }) =>
      mailingListChoices(request, settings, state, payload?.directoryId, stateContext)
  },
  perform: async (request, { settings, payload, stateContext, statsContext }) => {
    const client = new QualtricsClient(request, settings, state, { stateContext, statsContext })
    const [outcome] = await addTransactions(client, state, [payload])
    return resultOrThrow(outcome, client.redactor)
  },
  performBatch: async (request, { settings, payload, stateContext, statsContext }) => {
    recordBatchSize(statsContext, 'upsertContactTransaction', payload.length)
    const client = () => QualtricsClient.forBatch(request, settings, state, { stateContext, statsContext })
    const send = payload[0]?.bulkImport === true ? importTransactions : addTransactions
    return toMultiStatus(await runBatch(payload, client, (batchClient, payloads) => send(batchClient, state, payloads)))
  }
})

export default upsertContactTransaction
