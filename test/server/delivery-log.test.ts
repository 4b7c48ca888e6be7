import nock from 'nock'
import { Redactor } from '../../src/destinations/qualtrics'
import { createServerContext } from '../../src/server/context'
import { DeliveryLog, loggedDelivery } from '../../src/server/delivery-log'
import { startLocalServer } from '../../src/server/local-server'
import { deliverTrackedEvents } from '../../src/server/segment/tracked-delivery'
import { trackEvent } from './tracking/helpers'

const TOKEN = 'log-SECRET-token-8080'
const API = 'https://iad1.qualtrics.com'
const SETTINGS = { apiToken: TOKEN, datacenter: 'iad1' }
const ok = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'r' } })
const identify = (n: number) => ({ type: 'identify', userId: `u${n}`, messageId: `m${n}`, traits: { email: 'a@b.co' } })

describe('DeliveryLog', () => {
  it('keeps the newest records up to its limit, newest first, and filters by state', () => {
    const log = new DeliveryLog(3)
    const records = [1, 2, 3, 4].map((n) => log.received('events', identify(n)))
    records[3].state = 'failed'
    expect(log.list().map((r) => r.messageId)).toEqual(['m4', 'm3', 'm2'])
    expect(log.list('failed').map((r) => r.messageId)).toEqual(['m4'])
    expect(log.list('delivered')).toEqual([])
  })

  it('follows a tracked event by messageId, names who it is about, and makes a record for one queued before a restart', () => {
    const log = new DeliveryLog()
    const queued = log.received('sdk', identify(1))
    expect(queued).toMatchObject({ userId: 'u1', anonymousId: undefined })
    const anonymous = log.received('events', { type: 'track', anonymousId: 'anon-9', userId: 42 })
    expect(anonymous).toMatchObject({ anonymousId: 'anon-9', userId: undefined })
    expect(log.trackedEvent(identify(1))).toBe(queued)
    log.settled('m1', 'retrying')
    expect(queued.state).toBe('retrying')
    const earlier = log.trackedEvent({ ...identify(2), receivedAt: '2026-01-01T00:00:00.000Z' })
    expect(earlier).toMatchObject({ source: 'sdk', messageId: 'm2', receivedAt: '2026-01-01T00:00:00.000Z' })
  })

  it('stores deliveries and exchanges redacted of the secrets, mapping the payload only when it is read', () => {
    const log = new DeliveryLog()
    const record = log.received('tester', identify(1))
    const exchange = { request: { url: `x?t=${TOKEN}`, headers: {} }, response: { status: 401, body: TOKEN } }
    let mapped = 0
    const redactor = new Redactor([TOKEN])
    const delivery = loggedDelivery(
      { subscription: 's', action: 'a', status: 401, retryable: false, errormessage: `bad ${TOKEN}` },
      () => ({ mapped: ++mapped, token: TOKEN }),
      redactor
    )
    log.attempted(record, [delivery], redactor.value([exchange]))
    expect(mapped).toBe(0)
    const listed = JSON.stringify(log.list())
    expect(listed).not.toContain(TOKEN)
    expect(JSON.parse(listed)[0].deliveries[0].payload).toEqual({ mapped: 1, token: '[redacted]' })
    JSON.stringify(log.list())
    expect(mapped).toBe(1)
    expect(record.attempts).toBe(1)
  })
})

describe('deliverTrackedEvents', () => {
  it('refuses an event nested too deep as a final 400 and still delivers the rest', async () => {
    const context = createServerContext({ settings: SETTINGS, mappingDefaults: { directoryId: 'POOL_d' } })
    nock(API)
      .post('/API/v3/directories/POOL_d/contacts')
      .reply(200, ok({ id: 'CID_1' }))
    let deep: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 80; i++) deep = { deep }
    const good = { ...trackEvent('x'), type: 'identify' as const, traits: { email: 'a@b.co' } }
    const tooDeep = { ...trackEvent('y'), type: 'identify' as const, traits: deep }
    const results = await deliverTrackedEvents(context)([tooDeep, good])
    expect(results).toEqual([
      { status: 400, retryable: false, error: expect.stringMatching(/nests objects or arrays more than 64 levels/) },
      { status: 200, retryable: false }
    ])
    expect(context.deliveryLog.list().map((r) => [r.messageId, r.attempts])).toEqual([
      [good.messageId, 1],
      [tooDeep.messageId, 1]
    ])
  })
})

describe('GET /console/api/deliveries', () => {
  let server: Awaited<ReturnType<typeof startLocalServer>>
  beforeAll(async () => {
    server = await startLocalServer({ settings: SETTINGS, mappingDefaults: { directoryId: 'POOL_c' } })
  })
  afterAll(() => server.close())

  const get = async (query = '') => {
    const response = await fetch(`${server.url}/console/api/deliveries${query}`)
    const text = await response.text()
    expect(text).not.toContain(TOKEN)
    return { status: response.status, body: JSON.parse(text) }
  }
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })

  it('lists what POST /{action} and POST /events ran, newest first, with mapped payloads and redacted requests', async () => {
    nock(API)
      .post('/API/v3/directories/POOL_c/contacts')
      .reply(200, ok({ id: 'CID_1' }))
    nock(API).post('/API/v3/directories/POOL_c/contacts').reply(503, {})
    await post('/upsertContact', { payload: identify(1) })
    await post('/events', identify(2))

    const { status, body } = await get()
    expect(status).toBe(200)
    const [events, tester] = body.deliveries
    expect(tester).toMatchObject({
      id: expect.any(String),
      receivedAt: expect.any(String),
      source: 'tester',
      type: 'identify',
      messageId: 'm1',
      userId: 'u1',
      state: 'delivered',
      attempts: 1,
      deliveries: [
        {
          subscription: 'POST /upsertContact',
          action: 'upsertContact',
          status: 200,
          retryable: false,
          payload: expect.objectContaining({ directoryId: 'POOL_c', extRef: 'u1', email: 'a@b.co' }),
          body: { contactId: 'CID_1', directoryId: 'POOL_c' }
        }
      ]
    })
    expect(tester.requests[0].request.headers['x-api-token']).toBe('[redacted]')
    expect(events).toMatchObject({
      source: 'events',
      messageId: 'm2',
      state: 'failed',
      deliveries: [{ subscription: 'Create or update contact', status: 503, retryable: true }]
    })
    expect((await get('?status=ok')).body.deliveries.map((r: { messageId: string }) => r.messageId)).toEqual(['m1'])
    expect((await get('?status=failed')).body.deliveries.map((r: { messageId: string }) => r.messageId)).toEqual(['m2'])
    expect((await get('?status=queued')).body.deliveries).toEqual([])
  })

  it('refuses an unknown status filter, naming the ones it takes', async () => {
    const { status, body } = await get('?status=done')
    expect(status).toBe(400)
    expect(body.error).toMatch(/status "done" is not one of queued, retrying, delivered, failed, ok/)
  })
})
