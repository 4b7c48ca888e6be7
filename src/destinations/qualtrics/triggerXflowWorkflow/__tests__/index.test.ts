import nock from 'nock'
import { createTestEvent } from '@segment/actions-core'
import { API_TOKEN, settings } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const HOST = 'https://iad1.qualtrics.com'
const PATH = '/inbound-event/v1/events/json/triggers?urlTokenId=3f2a'

/** A mapping as Segment saved it for this key under its earlier Qualtrics destination. */
const SAVED_MAPPING = {
  workflowUrl: `${HOST}${PATH}`,
  eventPayload: {
    event: { '@path': '$.event' },
    type: { '@path': '$.type' },
    userId: { '@path': '$.userId' },
    properties: { '@path': '$.properties' }
  }
}

const track = createTestEvent({ type: 'track', event: 'Survey Completed', userId: 'user-1', properties: { score: 9 } })

describe('triggerXflowWorkflow (the earlier key of triggerXflow, kept for saved mappings)', () => {
  it('starts the workflow from a saved mapping of the earlier destination, as triggerXflow does', async () => {
    const payload = { event: 'Survey Completed', type: 'track', userId: 'user-1', properties: { score: 9 } }
    const scope = nock(HOST, { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(PATH, payload)
      .times(2)
      .reply(200, { result: { runId: 'RUN_1' } })
    const run = (action: string) =>
      instance.testDestination.testAction(action, { event: track, settings, mapping: SAVED_MAPPING })
    const [aliased] = await run('triggerXflowWorkflow')
    const [original] = await run('triggerXflow')
    expect(scope.isDone()).toBe(true)
    expect(aliased.status).toBe(200)
    expect(await aliased.request.json()).toEqual(await original.request.json())
  })

  it('is hidden, with no default trigger and no preset', () => {
    const definition = instance.testDestination.definition
    const action = definition.actions.triggerXflowWorkflow
    expect(action.hidden).toBe(true)
    expect(action.defaultSubscription).toBeUndefined()
    expect((definition.presets ?? []).map((preset) => preset.partnerAction)).not.toContain('triggerXflowWorkflow')
    expect(Object.keys(action.fields)).toEqual(Object.keys(definition.actions.triggerXflow.fields))
  })
})
