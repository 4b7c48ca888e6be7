import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import type { DynamicFieldResponse, InputField } from '@segment/actions-core'
import { parseFql, validate } from '@segment/destination-subscriptions'
import nock from 'nock'
import definition, { createQualtrics } from '..'
import { API, DIRECTORY, ok, qualtrics, qualtricsError, settings } from './__helpers__/qualtrics'

// What the definition declares is read from the default export (what Segment's runtime loads); what it does, from an
// instance of this file's own.
const testDestination = createTestIntegration(createQualtrics())

describe('definition', () => {
  it('is the Qualtrics cloud destination', () => {
    expect(definition).toMatchObject({ name: 'Qualtrics', slug: 'actions-qualtrics', mode: 'cloud' })
    expect(Object.keys(definition.actions).sort()).toEqual([
      'addContactToXmd',
      'syncAudience',
      'triggerXflow',
      'triggerXflowWorkflow',
      'upsertContact',
      'upsertContactTransaction'
    ])
  })

  it('has the settings of the docs page', () => {
    const fields = definition.authentication?.fields as Record<string, InputField>
    expect(fields.apiToken).toMatchObject({ label: 'API Token', type: 'password', required: false })
    expect(fields.datacenter).toMatchObject({ label: 'Datacenter ID', type: 'string', required: true, default: 'iad1' })
    expect(fields.clientId).toMatchObject({ label: 'Client ID', type: 'string', required: false })
    expect(fields.clientSecret).toMatchObject({ label: 'Client secret', type: 'password', required: false })
    expect(fields.erasePersonalData).toMatchObject({ label: 'Erase personal data', type: 'boolean', default: false })
    expect(fields.apiToken.description).toMatch(/workflows.*no OAuth client/)
  })

  it.each([
    [
      'upsertContact',
      createTestEvent({ type: 'identify' }),
      createTestEvent({ type: 'track', event: 'Transaction Created' })
    ],
    [
      'upsertContactTransaction',
      createTestEvent({ type: 'track', event: 'Transaction Created' }),
      createTestEvent({ type: 'track', event: 'Order Completed' })
    ]
  ])('has a preset for %s whose trigger picks the right events', (action, matching, other) => {
    const preset = definition.presets?.find((p) => 'partnerAction' in p && p.partnerAction === action)
    expect(preset).toBeDefined()
    const subscribe = (preset as { subscribe: string }).subscribe
    expect(subscribe).toBe(definition.actions[action].defaultSubscription)
    const ast = parseFql(subscribe)
    expect(validate(ast, matching)).toBe(true)
    expect(validate(ast, other)).toBe(false)
  })

  it('has no default trigger for triggerXflow', () => {
    expect(definition.actions.triggerXflow.defaultSubscription).toBeUndefined()
  })
})

describe('testAuthentication', () => {
  it('passes when whoami answers', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'ada@example.com', brandId: 'b' }))
    await expect(testDestination.testAuthentication(settings)).resolves.not.toThrow()
  })

  it.each([
    [401, /API token is invalid/],
    [403, /lacks permission/],
    [500, /Qualtrics is unavailable \(500\)/]
  ])('fails on %s and says why', async (status, message) => {
    qualtrics().get('/API/v3/whoami').reply(status, qualtricsError(status, 'nope'))
    await expect(testDestination.testAuthentication(settings)).rejects.toThrow(message)
  })

  it('fails when whoami does not say whose token it is', async () => {
    qualtrics().get('/API/v3/whoami').reply(200, ok({}))
    await expect(testDestination.testAuthentication(settings)).rejects.toThrow(/no userName/)
  })

  it('rejects a bad datacenter without sending anything', async () => {
    await expect(testDestination.testAuthentication({ ...settings, datacenter: 'evil.com/x' })).rejects.toThrow(
      /Datacenter ID "evil.com\/x" is not valid/
    )
  })

  it('goes to the datacenter in the settings, lower-cased', async () => {
    const scope = nock('https://fra1.qualtrics.com')
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'u' }))
    await testDestination.testAuthentication({ ...settings, datacenter: 'FRA1' })
    expect(scope.isDone()).toBe(true)
  })
})

describe('dynamic fields', () => {
  const dynamic = (action: string, field: string, payload: Record<string, unknown> = {}) =>
    testDestination.testDynamicField(action, field, { settings, payload }) as Promise<DynamicFieldResponse>

  it('lists directories across pages', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(
        200,
        ok({ elements: [{ directoryId: 'POOL_1', name: 'Main' }], nextPage: `${API}/API/v3/directories?skipToken=p2` })
      )
      .get('/API/v3/directories?skipToken=p2')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_2' }], nextPage: null }))
    const response = await dynamic('upsertContact', 'directoryId')
    expect(response).toEqual({
      choices: [
        { label: 'Main (POOL_1)', value: 'POOL_1' },
        { label: 'POOL_2', value: 'POOL_2' }
      ]
    })
  })

  it('turns a failure into an error in the response, not a throw', async () => {
    qualtrics().get('/API/v3/directories').reply(401, qualtricsError(401, 'bad token'))
    const response = await dynamic('upsertContactTransaction', 'directoryId')
    expect(response?.choices).toEqual([])
    expect(response?.error).toMatchObject({ code: '401' })
    expect(response?.error?.message).toMatch(/API token is invalid/)
  })

  it('lists the chosen directory’s mailing lists across pages', async () => {
    qualtrics()
      .get(`/API/v3/directories/${DIRECTORY}/mailinglists`)
      .reply(
        200,
        ok({
          elements: [{ mailingListId: 'CG_1', name: 'Buyers' }],
          nextPage: `${API}/API/v3/directories/${DIRECTORY}/mailinglists?skipToken=2`
        })
      )
      .get(`/API/v3/directories/${DIRECTORY}/mailinglists?skipToken=2`)
      .reply(200, ok({ elements: [{ mailingListId: 'CG_2', name: 'Others' }], nextPage: null }))
    const response = await dynamic('upsertContactTransaction', 'mailingListId', { directoryId: DIRECTORY })
    expect(response?.choices).toEqual([
      { label: 'Buyers (CG_1)', value: 'CG_1' },
      { label: 'Others (CG_2)', value: 'CG_2' }
    ])
  })

  it('asks for a directory before listing mailing lists', async () => {
    const response = await dynamic('upsertContactTransaction', 'mailingListId')
    expect(response?.error?.message).toMatch(/Choose a Directory ID first/)
  })

  it('reports an unknown directory', async () => {
    qualtrics().get(`/API/v3/directories/${DIRECTORY}/mailinglists`).reply(404, qualtricsError(404, 'Not found'))
    const response = await dynamic('upsertContactTransaction', 'mailingListId', { directoryId: DIRECTORY })
    expect(response?.error).toMatchObject({ code: '404' })
    expect(response?.error?.message).toMatch(`directory ${DIRECTORY} was not found`)
  })

  it('reports a bad datacenter without sending anything', async () => {
    const response = (await testDestination.testDynamicField('upsertContact', 'directoryId', {
      settings: { ...settings, datacenter: 'a b' },
      payload: {}
    })) as DynamicFieldResponse
    expect(response?.error?.message).toMatch(/Datacenter ID/)
  })
})
