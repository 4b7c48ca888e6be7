import type { ActionDefinition } from '@segment/actions-core'
import type { AudienceSettings, Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { batchFields, DEFAULT_BATCH_SIZE, resultOrThrow, runBatch, toMultiStatus } from '../batching'
import { MailingListClient } from '../client'
import { recordBatchSize } from '../client/stats'
import { EXTERNAL_ID_FORMAT } from '../audience/external-id'
import { contactFields } from '../contacts/contact-fields'
import type { QualtricsState } from '../state'
import { syncMembers } from './sync-members'

/** A batch request answered 429 is tried once more (after Retry-After, else a short back-off) before the batch stops. */
const AUDIENCE_BATCH_RETRIES_ON_429 = 1

const FOR_ADDS =
  'Sent with each added member: a new contact is created with it, and an existing contact the directory matches is updated with it.'

/** The action, for a destination instance's state (state.ts). */
const syncAudience = (state: QualtricsState): ActionDefinition<Settings, Payload, AudienceSettings> => ({
  title: 'Sync Engage audience to a mailing list',
  description:
    "Mirror an Engage audience to a Qualtrics mailing list: a person who enters the audience is added to the list (the directory's deduplication matches an existing contact), one who exits is removed from it (the contact stays in the directory). Optionally records membership on the contact as embedded data.",
  defaultSubscription: 'type = "identify" or type = "track"',
  syncMode: {
    label: 'How to sync the audience',
    description:
      'Mirror (default) adds people who enter the audience and removes people who exit it; Add only adds; Delete only removes.',
    default: 'mirror',
    choices: [
      { label: 'Mirror: add entries and remove exits', value: 'mirror' },
      { label: 'Add entries only', value: 'add' },
      { label: 'Remove exits only', value: 'delete' }
    ]
  },
  fields: {
    externalAudienceId: {
      label: 'External audience ID',
      description: `The audience's directory and mailing list, as the destination named them when the audience was created (${EXTERNAL_ID_FORMAT}). Engage sets it on every event.`,
      type: 'string',
      required: true,
      unsafe_hidden: true,
      default: { '@path': '$.context.personas.external_audience_id' }
    },
    audienceKey: {
      label: 'Audience key',
      description:
        "The audience's key in Engage: the trait (identify) or property (track) that holds true or false, and the name of the membership on the contact.",
      type: 'string',
      required: true,
      default: { '@path': '$.context.personas.computation_key' }
    },
    extRef: { ...contactFields.extRef, description: `${contactFields.extRef.description}, from the userId.` },
    email: contactFields.email,
    phone: contactFields.phone,
    firstName: { ...contactFields.firstName, description: `First name of the contact. ${FOR_ADDS}` },
    lastName: { ...contactFields.lastName, description: `Last name of the contact. ${FOR_ADDS}` },
    language: { ...contactFields.language, description: `Language code of the contact. ${FOR_ADDS}` },
    membershipOnContact: {
      label: 'Record membership on the contact',
      description:
        'Also set the embedded data segment_<audience key> on the contact to "true" when the person enters and "false" when they exit, for Qualtrics segments and filters. Qualtrics refreshes segments built on it within 24 hours; the mailing list changes at once.',
      type: 'boolean',
      default: false
    },
    traitsOrProperties: {
      label: 'Traits or properties',
      description:
        "Where Engage puts the membership (the event's traits, or its properties for a track event). Read only to say what is wrong with an event that carries no true or false.",
      type: 'object',
      unsafe_hidden: true,
      default: {
        '@if': { exists: { '@path': '$.traits' }, then: { '@path': '$.traits' }, else: { '@path': '$.properties' } }
      }
    },
    ...batchFields(DEFAULT_BATCH_SIZE)
  },
  perform: async (request, { settings, payload, audienceMembership, syncMode, stateContext, statsContext }) => {
    const client = new MailingListClient(request, settings, state, { stateContext, statsContext })
    const [outcome] = await syncMembers(client, state, [payload], [audienceMembership], syncMode)
    return resultOrThrow(outcome, client.redactor)
  },
  performBatch: async (request, { settings, payload, audienceMembership, syncMode, stateContext, statsContext }) => {
    recordBatchSize(statsContext, 'syncAudience', payload.length)
    // One 429 retry after a pause tells a passing 429 from a spent budget; a 429 after it stops the batch
    // (sync-members.ts) and Segment retries the rest.
    const options = { stateContext, statsContext, retriesOn429: AUDIENCE_BATCH_RETRIES_ON_429 }
    const client = () => new MailingListClient(request, settings, state, options)
    const memberships = Array.isArray(audienceMembership) ? audienceMembership : []
    return toMultiStatus(
      await runBatch(payload, client, (batchClient, payloads) =>
        syncMembers(batchClient, state, payloads, memberships, syncMode)
      )
    )
  }
})

export default syncAudience
