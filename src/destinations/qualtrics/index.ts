import { defaultValues, InvalidAuthenticationError, type DestinationDefinition } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { QualtricsClient } from './client'
import upsertContact from './upsertContact'
import triggerXflow from './triggerXflow'
import upsertContactTransaction from './upsertContactTransaction'
import { deleteUser } from './deletion/delete-user'

const destination: DestinationDefinition<Settings> = {
  // Keep the name free of spaces and brackets: actions-core uses it in an ajv schema id (see README).
  name: 'Qualtrics',
  slug: 'actions-qualtrics',
  mode: 'cloud',
  description:
    'Create and update contacts in a Qualtrics XM Directory, add transactions to them, and start Qualtrics workflows from Segment events.',
  authentication: {
    scheme: 'custom',
    fields: {
      apiToken: {
        label: 'API Token',
        description: 'Qualtrics API token found in your Qualtrics account under "Account settings" -> "Qualtrics IDs."',
        type: 'password',
        required: true
      },
      datacenter: {
        label: 'Datacenter ID',
        description:
          'Qualtrics datacenter id that identifies where your qualtrics instance is located. Found under "Account settings" -> "Qualtrics IDs".',
        type: 'string',
        required: true,
        default: 'iad1'
      }
    },
    testAuthentication: async (request, { settings }) => {
      const whoami = await new QualtricsClient(request, settings).whoami()
      if (!whoami.userName) {
        throw new InvalidAuthenticationError('Qualtrics accepted the token but did not say whose it is (no userName).')
      }
      return whoami
    }
  },
  presets: [
    {
      name: 'Create or update contact',
      subscribe: 'type = "identify"',
      partnerAction: 'upsertContact',
      mapping: defaultValues(upsertContact.fields),
      type: 'automatic'
    },
    {
      name: 'Upsert contact transaction',
      subscribe: 'type = "track" and event = "Transaction Created"',
      partnerAction: 'upsertContactTransaction',
      mapping: defaultValues(upsertContactTransaction.fields),
      type: 'automatic'
    }
  ],
  onDelete: deleteUser,
  actions: {
    upsertContact,
    triggerXflow,
    upsertContactTransaction
  }
}

export default destination
