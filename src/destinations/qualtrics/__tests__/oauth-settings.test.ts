import { createTestEvent, defaultValues, Destination } from '@segment/actions-core'
import type { DynamicFieldResponse } from '@segment/actions-core'
import nock from 'nock'
import type { Settings } from '../generated-types'
import { API, API_TOKEN, DIRECTORY, ok } from './__helpers__/qualtrics'
import { CLIENT_ID, CLIENT_SECRET, issued, oauthSettings, tokenEndpoint, withBearer } from './__helpers__/oauth'
import { instanceForEachTest } from './__helpers__/instance'

const instance = instanceForEachTest()
const WORKFLOW = '/inbound-event/v1/events/json/triggers?urlTokenId=s1'
const bothSettings = { ...oauthSettings, apiToken: API_TOKEN }

const upsert = (settings: Partial<Settings>) =>
  instance.testDestination.testAction('upsertContact', {
    event: { type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } },
    settings: settings as Settings,
    mapping: { directoryId: DIRECTORY },
    useDefaultMappings: true
  })
const contactCreated = (scope: nock.Scope) =>
  scope.post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(200, ok({ id: 'CID_1' }))
const workflow = (settings: Partial<Settings>, mapping: Record<string, unknown> = {}) =>
  instance.testDestination.testAction('triggerXflow', {
    event: { type: 'track', event: 'x' },
    settings: settings as Settings,
    mapping: { workflowUrl: `${API}${WORKFLOW}`, eventPayload: { e: 'x' }, ...mapping }
  })

describe('saved settings stay valid (Destination.onEvent runs the settings schema)', () => {
  /** The runtime's view of this test's instance. */
  const destination = () => new Destination(instance.testDestination.definition)
  const subscription = () => ({
    subscribe: 'type = "identify"',
    partnerAction: 'upsertContact',
    mapping: {
      ...defaultValues(instance.testDestination.definition.actions.upsertContact.fields),
      directoryId: DIRECTORY
    }
  })
  const event = createTestEvent({ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } })

  it('{apiToken, datacenter}, as every saved configuration is, passes and uses the API token', async () => {
    const scope = contactCreated(nock(API, { reqheaders: { 'x-api-token': API_TOKEN }, badheaders: ['authorization'] }))
    const [result] = await destination().onEvent(event, {
      apiToken: API_TOKEN,
      datacenter: 'iad1',
      subscription: subscription()
    })
    expect(result).toMatchObject({ output: expect.any(String) })
    expect(scope.isDone()).toBe(true)
  })

  it('{datacenter, clientId, clientSecret} passes and uses OAuth', async () => {
    tokenEndpoint().reply(200, issued())
    const scope = contactCreated(withBearer())
    await destination().onEvent(event, { ...oauthSettings, subscription: subscription() })
    expect(scope.isDone()).toBe(true)
  })

  it('{datacenter} alone passes the schema, then fails with a clear settings error before any request', async () => {
    await expect(
      destination().onEvent(event, { datacenter: 'iad1', subscription: subscription() })
    ).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/API Token is missing and no OAuth client is set/)
    })
  })
})

describe('which credential a call uses', () => {
  it('API token alone: X-API-TOKEN, as before', async () => {
    contactCreated(nock(API, { reqheaders: { 'x-api-token': API_TOKEN }, badheaders: ['authorization'] }))
    await upsert({ apiToken: API_TOKEN, datacenter: 'iad1' })
  })

  it('OAuth client alone: a Bearer token, never an X-API-TOKEN', async () => {
    tokenEndpoint().reply(200, issued())
    const scope = contactCreated(withBearer())
    await upsert(oauthSettings)
    expect(scope.isDone()).toBe(true)
  })

  it('both: REST calls use OAuth, workflows the API token (header or Basic)', async () => {
    tokenEndpoint().reply(200, issued())
    contactCreated(withBearer())
    await upsert(bothSettings)
    nock(API, { reqheaders: { 'x-api-token': API_TOKEN }, badheaders: ['authorization'] })
      .post(WORKFLOW)
      .reply(202, {})
    await workflow(bothSettings)
    const basic = `Basic ${Buffer.from(`ada:${API_TOKEN}`).toString('base64')}`
    nock(API, { reqheaders: { authorization: basic }, badheaders: ['x-api-token'] })
      .post(WORKFLOW)
      .reply(202, {})
    await workflow(bothSettings, { authMethod: 'basic', username: 'ada' })
  })

  it('several actions at once on a cold process share one token request', async () => {
    tokenEndpoint().once().reply(200, issued())
    const scope = withBearer()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .times(3)
      .reply(200, ok({ id: 'CID_1' }))
    const run = (userId: string) =>
      instance.testDestination.testAction('upsertContact', {
        event: { type: 'identify', userId, traits: { email: `${userId}@b.co` } },
        settings: oauthSettings,
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
    await Promise.all([run('u1'), run('u2'), run('u3')])
    expect(scope.isDone()).toBe(true)
  })

  it('a batch uses the Bearer token for every event', async () => {
    tokenEndpoint().reply(200, issued())
    withBearer()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .times(2)
      .reply(200, ok({ id: 'CID_1' }))
    await instance.testDestination.testBatchAction('upsertContact', {
      events: [
        createTestEvent({ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } }),
        createTestEvent({ type: 'identify', userId: 'u2', traits: { email: 'b@b.co' } })
      ],
      settings: oauthSettings,
      mapping: { directoryId: DIRECTORY, enable_batching: true },
      useDefaultMappings: true
    })
    const entries = (instance.testDestination.results[0] as unknown as { multistatus: Array<{ status: number }> })
      .multistatus
    expect(entries.map((e) => e.status)).toEqual([200, 200])
  })

  it('a batch whose token request fails makes that request once and fails every event with its error', async () => {
    // Declared once: a second token request would be undeclared and fail the test.
    tokenEndpoint().once().reply(401, { error: 'invalid_client' })
    await instance.testDestination.testBatchAction('upsertContact', {
      events: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((userId) =>
        createTestEvent({ type: 'identify', userId, traits: { email: `${userId}@b.co` } })
      ),
      settings: oauthSettings,
      mapping: { directoryId: DIRECTORY, enable_batching: true },
      useDefaultMappings: true
    })
    const entries = (
      instance.testDestination.results[0] as unknown as {
        multistatus: Array<{ status: number; errormessage?: string }>
      }
    ).multistatus
    expect(entries).toHaveLength(6)
    for (const entry of entries) {
      expect(entry).toMatchObject({ status: 401, errormessage: expect.stringMatching(/Client ID or secret rejected/) })
    }
  })

  it('dynamic fields list with the Bearer token', async () => {
    tokenEndpoint().reply(200, issued())
    withBearer()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_1' }], nextPage: null }))
    const response = (await instance.testDestination.testDynamicField('upsertContact', 'directoryId', {
      settings: oauthSettings,
      payload: {}
    })) as DynamicFieldResponse
    expect(response.choices).toEqual([{ label: 'POOL_1', value: 'POOL_1' }])
  })
})

describe('settings that cannot work fail before any request', () => {
  it.each([
    ['a Client ID without a Client secret', { apiToken: API_TOKEN, clientId: CLIENT_ID }, /Client secret is missing/],
    ['a Client secret without a Client ID', { clientSecret: CLIENT_SECRET }, /Client ID is missing/],
    ['neither credential', { clientId: ' ', clientSecret: '' }, /API Token is missing and no OAuth client is set/],
    ['a Client ID with a colon', { clientId: 'a:b', clientSecret: CLIENT_SECRET }, /Client ID contains ":"/]
  ])('%s', async (_name, given, message) => {
    // No request is declared: anything sent would fail the test.
    const error = await upsert({ datacenter: 'iad1', ...given }).catch((e) => e)
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' })
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain(CLIENT_SECRET)
  })

  it('a workflow with an OAuth client and no API token: workflows need the token', async () => {
    const error = await workflow(oauthSettings).catch((e) => e)
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' })
    expect(error.message).toMatch(/API Token is missing: Qualtrics JSON Event workflows accept only the API token/)
  })
})

describe('testAuthentication', () => {
  const whoami = (scope: nock.Scope, status = 200) =>
    scope.get('/API/v3/whoami').reply(status, status === 200 ? ok({ userName: 'ada' }) : {})
  const tokenOnly = () => nock(API, { reqheaders: { 'x-api-token': API_TOKEN }, badheaders: ['authorization'] })

  it('API token alone: whoami with the token', async () => {
    const scope = whoami(tokenOnly())
    await instance.testDestination.testAuthentication({ apiToken: API_TOKEN, datacenter: 'iad1' })
    expect(scope.isDone()).toBe(true)
  })

  it('OAuth alone: a new token (even when one is cached), then whoami with it', async () => {
    tokenEndpoint().reply(200, issued('cached-token-0000'))
    whoami(withBearer('cached-token-0000'))
    await instance.testDestination.testAuthentication(oauthSettings)
    tokenEndpoint().reply(200, issued())
    const scope = whoami(withBearer())
    await instance.testDestination.testAuthentication(oauthSettings)
    expect(scope.isDone()).toBe(true)
  })

  it('both: checks both', async () => {
    const token = whoami(tokenOnly())
    tokenEndpoint().reply(200, issued())
    const bearer = whoami(withBearer())
    await instance.testDestination.testAuthentication(bothSettings)
    expect(token.isDone() && bearer.isDone()).toBe(true)
  })

  it('both, OAuth rejected: says the OAuth client failed and why, not the token', async () => {
    whoami(tokenOnly())
    tokenEndpoint().reply(401, { error: 'invalid_client' })
    const error = await instance.testDestination.testAuthentication(bothSettings).catch((e) => e)
    expect(error.message).toMatch(/OAuth client \(Client ID and Client secret\) failed: Client ID or secret rejected/)
    expect(error.message).not.toMatch(/API Token failed/)
  })

  it('both, token rejected: says the API token failed', async () => {
    whoami(tokenOnly(), 401)
    tokenEndpoint().reply(200, issued())
    whoami(withBearer())
    const error = await instance.testDestination.testAuthentication(bothSettings).catch((e) => e)
    expect(error.message).toMatch(/API Token failed: .*API token is invalid/)
    expect(error.message).not.toMatch(/OAuth client .* failed/)
  })

  it('OAuth on the wrong datacenter: whoami refuses the fresh token, and the message says so', async () => {
    tokenEndpoint().reply(200, issued())
    whoami(withBearer(), 401)
    tokenEndpoint().reply(200, issued())
    whoami(withBearer(), 401)
    const error = await instance.testDestination.testAuthentication(oauthSettings).catch((e) => e)
    expect(error.message).toMatch(/refused a freshly issued OAuth access token.*Datacenter ID "iad1"/)
  })

  it('half an OAuth client fails before any request', async () => {
    const error = await instance.testDestination
      .testAuthentication({ datacenter: 'iad1', clientId: CLIENT_ID } as Settings)
      .catch((e) => e)
    expect(error.message).toMatch(/Client secret is missing/)
  })
})
