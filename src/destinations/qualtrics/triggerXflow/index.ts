import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'
import { batchFields, WORKFLOW_BATCH_SIZE, resultOrThrow, runBatch, toMultiStatus } from '../batching'
import { QualtricsClient } from '../client'
import { recordBatchSize } from '../client/stats'
import type { QualtricsState } from '../state'
import { triggerWorkflows } from './trigger-workflows'

/** The action, for a destination instance's state (state.ts). */
const triggerXflow = (state: QualtricsState): ActionDefinition<Settings, Payload> => ({
  title: 'Start a workflow in Qualtrics',
  description: 'This action is used to kick off a workflow in Qualtrics',
  fields: {
    workflowUrl: {
      label: 'Workflow URL',
      description:
        "The JSON Event URL copied from your Qualtrics workflow's JSON Event trigger: https on a host ending in .qualtrics.com (such as iad1.qualtrics.com), the path /inbound-event/v1/events/json/triggers (older URLs spell it JSON) and a urlTokenId (triggerId in older URLs) in the query. Any other URL is refused and nothing is sent, so the API token never goes anywhere else. JSON Event triggers do not accept OAuth: they take the API token, as the X-API-TOKEN header or with Basic authentication.",
      type: 'string',
      format: 'uri',
      required: true
    },
    eventPayload: {
      label: 'Event payload',
      description:
        'A mapping of key values to send to Qualtrics xflow. By default the event name, type, user and anonymous IDs, properties, traits, timestamp and message ID; the event context (IP address, user agent) is left out unless you map it. At most 100 KB.',
      type: 'object',
      defaultObjectUI: 'keyvalue',
      default: {
        event: { '@path': '$.event' },
        type: { '@path': '$.type' },
        userId: { '@path': '$.userId' },
        anonymousId: { '@path': '$.anonymousId' },
        properties: { '@path': '$.properties' },
        traits: {
          '@if': {
            exists: { '@path': '$.traits' },
            then: { '@path': '$.traits' },
            else: { '@path': '$.context.traits' }
          }
        },
        timestamp: { '@path': '$.timestamp' },
        messageId: { '@path': '$.messageId' }
      }
    },
    authMethod: {
      label: 'Authentication method',
      description:
        'How the workflow request proves who sends it. "API token header" sends X-API-TOKEN; "Basic (username and API token)" sends the Qualtrics username and the API token as HTTP Basic credentials, which Qualtrics JSON Events also accept.',
      type: 'string',
      choices: [
        { label: 'API token header (X-API-TOKEN)', value: 'token' },
        { label: 'Basic (username and API token)', value: 'basic' }
      ],
      default: 'token'
    },
    username: {
      label: 'Qualtrics username',
      description: 'Your Qualtrics username, required when the authentication method is Basic.',
      type: 'string',
      depends_on: { conditions: [{ fieldKey: 'authMethod', operator: 'is', value: 'basic' }] }
    },
    ...batchFields(WORKFLOW_BATCH_SIZE)
  },
  perform: async (request, { settings, payload, stateContext, statsContext }) => {
    const client = new QualtricsClient(request, settings, state, { stateContext, statsContext })
    const [outcome] = await triggerWorkflows(client, [payload], state.workflowLimits)
    return resultOrThrow(outcome, client.redactor)
  },
  performBatch: async (request, { settings, payload, stateContext, statsContext }) => {
    recordBatchSize(statsContext, 'triggerXflow', payload.length)
    const client = () => QualtricsClient.forBatch(request, settings, state, { stateContext, statsContext })
    return toMultiStatus(
      await runBatch(payload, client, (batchClient, payloads) =>
        triggerWorkflows(batchClient, payloads, state.workflowLimits)
      )
    )
  }
})

export default triggerXflow
