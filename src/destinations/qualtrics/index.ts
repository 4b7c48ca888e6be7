import { defaultValues } from '@segment/actions-core'
import type { AudienceDestinationDefinition } from '@segment/actions-core'
import type { AudienceSettings, Settings } from './generated-types'
import { audienceConfigFor, audienceFieldsFor } from './audience/audience-config'
import { audiencePresets } from './audience/presets'
import { checkCredentials } from './client'
import upsertContact from './upsertContact'
import triggerXflow from './triggerXflow'
import upsertContactTransaction from './upsertContactTransaction'
import { deleteUser } from './deletion/delete-user'
import syncAudience from './syncAudience'
import addContactToXmd from './addContactToXmd'
import triggerXflowWorkflow from './triggerXflowWorkflow'
import { createState } from './state'
import type { QualtricsOptions, QualtricsState } from './state'

export { createState } from './state'
export type { QualtricsOptions, QualtricsState } from './state'
// The rules this project's local server and responses source share with the destination (its public face; the
// monorepo's runtime reads only the default export).
export { isLoopbackHostname } from './client/client-state'
export { normaliseDatacenter } from './client/datacenter'
export { isRetryableStatus } from './client/errors'
export { REDACTED, Redactor, redactSecret, redactText, redactValue } from './client/redaction'

/**
 * A Qualtrics destination definition with its own state (state.ts): its caches, locks and limits belong to it alone.
 * The local server, scripts and tests make one with their options; Segment's runtime loads the default export.
 */
export function createQualtrics(
  options: QualtricsOptions = {}
): AudienceDestinationDefinition<Settings, AudienceSettings> {
  return qualtricsWith(createState(options))
}

/** The definition over a given state (createState): for tests that look into what an instance keeps. */
export function qualtricsWith(state: QualtricsState): AudienceDestinationDefinition<Settings, AudienceSettings> {
  const actions = {
    upsertContact: upsertContact(state),
    triggerXflow: triggerXflow(state),
    upsertContactTransaction: upsertContactTransaction(state),
    syncAudience: syncAudience(state),
    // Segment's earlier keys for the first two, hidden: saved subscriptions that name them keep working.
    addContactToXmd: addContactToXmd(state),
    triggerXflowWorkflow: triggerXflowWorkflow(state)
  }
  return {
    // Keep the name free of spaces and brackets: actions-core uses it in an ajv schema id (see README).
    name: 'Qualtrics',
    slug: 'actions-qualtrics',
    mode: 'cloud',
    description:
      'Create and update contacts in a Qualtrics XM Directory, add transactions to them, start Qualtrics workflows from Segment events, and mirror Engage audiences to mailing lists.',
    authentication: {
      scheme: 'custom',
      fields: {
        apiToken: {
          label: 'API Token',
          description:
            'Qualtrics API token found in your Qualtrics account under "Account settings" -> "Qualtrics IDs." Needed to start workflows (JSON Event triggers accept only the API token), and for every other call when no OAuth client (Client ID and Client secret) is set.',
          type: 'password',
          // Not required: an OAuth client can stand in for it. Settings saved with a token stay valid as they are.
          required: false
        },
        datacenter: {
          label: 'Datacenter ID',
          description:
            'Qualtrics datacenter id that identifies where your qualtrics instance is located. Found under "Account settings" -> "Qualtrics IDs".',
          type: 'string',
          required: true,
          default: 'iad1'
        },
        clientId: {
          label: 'Client ID',
          description:
            'The Client ID of a Qualtrics OAuth client (client credentials), from "Account settings" -> "Qualtrics IDs" -> "OAuth Client Manager", created on the datacenter above. Set it with the Client secret to make contact, transaction and listing calls with OAuth access tokens instead of the API token. Workflows still need the API token.',
          type: 'string',
          required: false
        },
        clientSecret: {
          label: 'Client secret',
          description:
            'The Client secret of that OAuth client. It is sent only to your datacenter\'s OAuth token endpoint ({datacenter}.qualtrics.com/oauth2/token). The client needs the scopes read:directories, read:mailing_lists, manage:directory_contacts, manage:contact_transactions and write:mailing_list_contacts (and manage:erasure_requests when "Erase personal data" is on).',
          type: 'password',
          required: false
        },
        erasePersonalData: {
          label: 'Erase personal data',
          description:
            "On a Segment user deletion, also send the contact's email addresses to Qualtrics' erasure API, which removes their survey responses too, not only the directory contact. Needs a brand administrator's credentials (with OAuth, the manage:erasure_requests scope). Qualtrics accepts 20 erasure requests a minute.",
          type: 'boolean',
          required: false,
          default: false
        }
      },
      testAuthentication: (request, { settings }) => checkCredentials(request, settings, state)
    },
    presets: [
      {
        name: 'Create or update contact',
        subscribe: 'type = "identify"',
        partnerAction: 'upsertContact',
        mapping: defaultValues(actions.upsertContact.fields),
        type: 'automatic'
      },
      {
        name: 'Upsert contact transaction',
        subscribe: 'type = "track" and event = "Transaction Created"',
        partnerAction: 'upsertContactTransaction',
        mapping: defaultValues(actions.upsertContactTransaction.fields),
        type: 'automatic'
      },
      ...audiencePresets(actions)
    ],
    audienceFields: audienceFieldsFor(state),
    audienceConfig: audienceConfigFor(state),
    onDelete: (request, data) => deleteUser(request, data, state),
    actions
  }
}

/** The definition Segment's runtime loads, with the default state: the only state made when the module loads. */
export default createQualtrics()
