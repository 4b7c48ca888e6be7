import nock from 'nock'
import { jsonCaller } from './json-caller'
import { startLocalServer } from '../../src/server/local-server'
import { workflowSubscription } from '../../src/server/config'

// The server runs in this process, so nock sees (and must declare) every request it makes to Qualtrics.
const TOKEN = 'server-SECRET-token-77aa'
const API = 'https://iad1.qualtrics.com'
const DIRECTORY = 'POOL_srv'
const WORKFLOW_URL = `${API}/inbound-event/v1/events/json/triggers?urlTokenId=wf1`
const logs: string[] = []
let server: Awaited<ReturnType<typeof startLocalServer>>

beforeAll(async () => {
  server = await startLocalServer({
    settings: { apiToken: TOKEN, datacenter: 'iad1' },
    mappingDefaults: { directoryId: DIRECTORY, mailingListId: 'CG_srv', workflowUrl: WORKFLOW_URL },
    extraSubscriptions: [workflowSubscription()],
    log: (line) => logs.push(line)
  })
})
afterAll(() => server.close())

const call = jsonCaller(() => server.url, TOKEN)

const qualtrics = () => nock(API, { reqheaders: { 'x-api-token': TOKEN } })
const ok = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'r' } })
const identify = { type: 'identify', userId: 'u1', messageId: 'm1', traits: { email: 'a@b.co' } }
const purchase = (n: number) => ({
  type: 'track',
  event: 'Transaction Created',
  userId: `u${n}`,
  messageId: `m${n}`,
  timestamp: '2024-01-01T00:00:00Z',
  properties: { total: n }
})

describe('local server', () => {
  it('lists its routes and serves the manifest', async () => {
    const index = await call('GET', '/')
    expect(index.body.routes).toEqual(
      expect.arrayContaining([
        'GET /manifest',
        'POST /authenticate',
        'POST /events',
        'POST /upsertContactTransaction/mailingListId',
        'POST /delete',
        'GET /console/api/stats'
      ])
    )
    const manifest = await call('GET', '/manifest')
    expect(manifest.body).toMatchObject({ name: 'Qualtrics', slug: 'actions-qualtrics', directoryName: 'qualtrics' })
    expect(Object.keys(manifest.body.actions)).toEqual([
      'upsertContact',
      'triggerXflow',
      'upsertContactTransaction',
      'syncAudience',
      'addContactToXmd',
      'triggerXflowWorkflow'
    ])
  })

  it('authenticates with the flat settings body, and says why it failed', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'ada' }))
    expect((await call('POST', '/authenticate', { apiToken: TOKEN, datacenter: 'iad1' })).body).toEqual({ ok: true })
    qualtrics()
      .get('/API/v3/whoami')
      .reply(401, { meta: { error: { errorMessage: 'bad token' } } })
    const failed = await call('POST', '/authenticate', { apiToken: TOKEN, datacenter: 'iad1' })
    expect(failed.body.ok).toBe(false)
    expect(failed.body.error).toMatch(/API token is invalid/)
  })

  it('runs an action on one event and reports the result and the requests, token redacted', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`, { extRef: 'u1', email: 'a@b.co' })
      .reply(200, ok({ id: 'CID_1' }))
    const { status, body } = await call('POST', '/upsertContact', { payload: identify })
    expect(status).toBe(200)
    expect(body.results).toEqual([
      { status: 200, retryable: false, body: { contactId: 'CID_1', directoryId: DIRECTORY } }
    ])
    expect(body.requests).toHaveLength(1)
    expect(body.requests[0].request).toMatchObject({
      method: 'POST',
      url: `${API}/API/v3/directories/${DIRECTORY}/contacts`,
      body: { extRef: 'u1', email: 'a@b.co' }
    })
    expect(body.requests[0].request.headers['x-api-token']).toBe('[redacted]')
  })

  it('reports a Qualtrics 429 as a retryable result', async () => {
    qualtrics().post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(429, {})
    const { body } = await call('POST', '/upsertContact', { payload: identify })
    expect(body.results[0]).toMatchObject({ status: 429, retryable: true })
  })

  it('runs the batch path for an array payload, one result per event', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/transactions`)
      .reply(200, ok({ createdTransactions: { m1: { id: 'T1' }, m2: { id: 'T2' } } }))
    const { body } = await call('POST', '/upsertContactTransaction', {
      payload: [purchase(1), purchase(2), { ...purchase(3), timestamp: 'not a date' }],
      mapping: { contactId: 'CID_9' }
    })
    expect(body.results.map((r: { status: number }) => r.status)).toEqual([200, 200, 400])
    expect(body.results[2]).toMatchObject({ retryable: false, errormessage: expect.stringMatching(/Date & time/) })
  })

  it('answers dynamic fields', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_1', name: 'Main' }], nextPage: null }))
    const { status, body } = await call('POST', '/upsertContact/directoryId', {})
    expect(status).toBe(200)
    expect(body.choices).toEqual([{ label: 'Main (POOL_1)', value: 'POOL_1' }])
  })

  it('routes Segment events through the presets’ triggers, with a result per event', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`, { extRef: 'u1', email: 'a@b.co' })
      .reply(200, ok({ id: 'CID_1' }))
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=100`)
      .reply(200, ok({ elements: [{ id: 'CID_2' }] }))
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/transactions`)
      .reply(200, ok({ createdTransactions: { m2: { id: 'T2' } } }))
    nock(API, { reqheaders: { 'x-api-token': TOKEN } })
      .post('/inbound-event/v1/events/json/triggers?urlTokenId=wf1', (b) => b.event === 'Survey Completed')
      .reply(202, {})
    const { body } = await call('POST', '/events', {
      batch: [
        identify,
        purchase(2),
        { type: 'track', event: 'Survey Completed', userId: 'u3', messageId: 'm3' },
        { type: 'page', userId: 'u4', messageId: 'm4' }
      ]
    })
    const deliveries = body.results.map((r: { deliveries: Array<{ action: string; status: number }> }) =>
      r.deliveries.map((d) => `${d.action}:${d.status}`)
    )
    expect(deliveries).toEqual([['upsertContact:200'], ['upsertContactTransaction:200'], ['triggerXflow:200'], []])
  })

  it('delivers a single Segment event through onEvent', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .reply(200, ok({ id: 'CID_1' }))
    const { body } = await call('POST', '/events', identify)
    expect(body.results).toEqual([
      {
        messageId: 'm1',
        type: 'identify',
        deliveries: [
          {
            action: 'upsertContact',
            subscription: 'Create or update contact',
            status: 200,
            retryable: false,
            body: { contactId: 'CID_1', directoryId: DIRECTORY }
          }
        ]
      }
    ])
  })

  it('never logs the token, and logs one line per request', async () => {
    const before = logs.length
    await call('POST', '/authenticate', { apiToken: TOKEN, datacenter: 'bad.dc' })
    expect(logs.length).toBe(before + 1)
    expect(logs.at(-1)).toMatch(/^POST \/authenticate 200 \d+ms$/)
    expect(logs.join('\n')).not.toContain(TOKEN)
  })
})

describe('local server with per-action mapping defaults', () => {
  it('fills an action’s own defaults over the shared ones, and a request’s mapping over both', async () => {
    const perAction = await startLocalServer({
      settings: { apiToken: TOKEN, datacenter: 'iad1' },
      mappingDefaults: { directoryId: DIRECTORY, mailingListId: 'CG_srv' },
      actionMappingDefaults: { upsertContactTransaction: { directoryId: 'POOL_tx' } }
    })
    try {
      const contact = qualtrics()
        .post(`/API/v3/directories/${DIRECTORY}/contacts`, { extRef: 'u1', email: 'a@b.co' })
        .reply(200, ok({ id: 'CID_1' }))
      const lookup = qualtrics()
        .post('/API/v3/directories/POOL_tx/contacts/search?pageSize=100')
        .reply(200, ok({ elements: [{ id: 'CID_2' }] }))
      const transaction = qualtrics()
        .post('/API/v3/directories/POOL_tx/transactions', (body) => body.m2?.mailingListId === 'CG_srv')
        .reply(200, ok({ createdTransactions: { m2: { id: 'T2' } } }))
      const explicit = qualtrics()
        .post('/API/v3/directories/POOL_given/transactions')
        .reply(200, ok({ createdTransactions: { m3: { id: 'T3' } } }))
      const post = (path: string, body: unknown) =>
        fetch(`${perAction.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body)
        }).then((r) => r.json())

      const events = await post('/events', { batch: [identify, purchase(2)] })
      expect(events.results.map((r: { deliveries: { status: number }[] }) => r.deliveries[0].status)).toEqual([
        200, 200
      ])
      const given = await post('/upsertContactTransaction', {
        payload: purchase(3),
        mapping: { directoryId: 'POOL_given', contactId: 'CID_3' }
      })
      expect(given.results).toEqual([expect.objectContaining({ status: 200 })])
      expect([contact, lookup, transaction, explicit].map((scope) => scope.isDone())).toEqual([true, true, true, true])
    } finally {
      await perAction.close()
    }
  })
})
