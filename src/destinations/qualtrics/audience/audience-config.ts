import { PayloadValidationError } from '@segment/actions-core'
import type { GlobalSetting } from '@segment/actions-core'
import type { AudienceDestinationConfigurationWithCreateGet } from '@segment/actions-core/destination-kit'
import { MailingListClient } from '../client'
import { directoryChoices } from '../dynamic-fields'
import type { AudienceSettings, Settings } from '../generated-types'
import { deduplicationOf, requireIdentifierDeduplication } from '../contacts/deduplication'
import type { DeduplicationNeed } from '../contacts/deduplication'
import type { QualtricsState } from '../state'
import { checkDirectoryId, checkMailingListId, formatExternalId, parseExternalId } from './external-id'

/** Qualtrics documents no limit on a list's name; this keeps a generated one readable in its UI. */
export const LIST_NAME_MAX_CHARS = 200

/** Per-audience settings, chosen when an Engage audience is connected to the destination. */
export const audienceFieldsFor = (state: QualtricsState): Record<string, GlobalSetting> => ({
  directoryId: {
    label: 'Directory ID',
    description:
      "The XM Directory (POOL_…) whose mailing list mirrors the audience. Its Automatic deduplication must be on, with a rule on fields every member has (such as Email): adding a member to a list creates the contact, and only the directory's deduplication makes that an update of an existing contact.",
    type: 'string',
    required: true,
    dynamic: (request, { settings }) => directoryChoices(request, settings as unknown as Settings, state)
  },
  mailingListId: {
    label: 'Existing mailing list ID',
    description:
      'Optional: a mailing list (CG_…) in that directory to mirror the audience to. Left empty, a new list named after the audience is created.',
    type: 'string',
    required: false
  }
})

function listNameOf(audienceName: unknown): string {
  const name = typeof audienceName === 'string' ? audienceName.trim() : ''
  if (name === '') {
    throw new PayloadValidationError('The audience has no name: a new mailing list is named after the audience.')
  }
  return [...name].slice(0, LIST_NAME_MAX_CHARS).join('')
}

/** Adding to a list creates a contact whenever no merge rule matches, so audiences need the directory's deduplication. */
export const AUDIENCE_NEEDS: DeduplicationNeed = {
  what: 'Adding audience members to a mailing list',
  risk: 'each member would be added as a new, duplicate contact'
}

/**
 * Engage creates the audience once (createAudience) and checks it later (getAudience). The external id names the
 * directory and the list (external-id.ts), so each event says where its member goes.
 */
export const audienceConfigFor = (
  state: QualtricsState
): AudienceDestinationConfigurationWithCreateGet<Settings, AudienceSettings> => ({
  mode: { type: 'synced', full_audience_sync: false },

  async createAudience(request, { settings, audienceSettings, audienceName, statsContext }) {
    const directoryId = checkDirectoryId(audienceSettings?.directoryId, 'The audience setting Directory ID')
    const given = audienceSettings?.mailingListId?.trim()
    const mailingListId = given ? checkMailingListId(given, 'The audience setting Existing mailing list ID') : undefined
    const client = new MailingListClient(request, settings, state, { statsContext })
    const deduplicatedOn = await deduplicationOf(client, state.deduplication, directoryId)
    requireIdentifierDeduplication(directoryId, deduplicatedOn, AUDIENCE_NEEDS)
    if (mailingListId) {
      await client.getMailingList(directoryId, mailingListId)
      return { externalId: formatExternalId({ directoryId, mailingListId }) }
    }
    const created = await client.createMailingList(directoryId, listNameOf(audienceName))
    return { externalId: formatExternalId({ directoryId, mailingListId: created }) }
  },

  async getAudience(request, { settings, audienceSettings, externalId, statsContext }) {
    const { directoryId, mailingListId } = parseExternalId(externalId)
    const configured = audienceSettings?.directoryId?.trim()
    if (configured && configured !== directoryId) {
      throw new PayloadValidationError(
        `The audience's mailing list ${mailingListId} is in directory ${directoryId}, not in ${configured} (the audience setting Directory ID): create the audience again for that directory.`
      )
    }
    const client = new MailingListClient(request, settings, state, { statsContext })
    await client.getMailingList(directoryId, mailingListId)
    return { externalId: formatExternalId({ directoryId, mailingListId }) }
  }
})
