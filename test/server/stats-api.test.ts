import nock from 'nock'
import { jsonCaller } from './json-caller'
import { startLocalServer } from '../../src/server/local-server'
import { MemoryStatsClient } from '../../src/server/stats'

// The server runs in this process, so nock sees (and must declare) every request it makes to Qualtrics.
const TOKEN = 'stats-SECRET-token-31cc'
const API = 'https://iad1.qualtrics.com'
const DIRECTORY = 'POOL_stats'
let server: Awaited<ReturnType<typeof startLocalServer>>

beforeAll(async () => {
  server = await startLocalServer({
    settings: { apiToken: TOKEN, datacenter: 'iad1' },
    mappingDefaults: { directoryId: DIRECTORY, mailingListId: 'CG_stats' },
    log: () => undefined
  })
})
afterAll(() => server.close())

const call = jsonCaller(() => server.url, TOKEN)

const qualtrics = () => nock(API, { reqheaders: { 'x-api-token': TOKEN } })
const ok = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'r' } })
const identify = (n: number) => ({
  type: 'identify',
  userId: `u${n}`,
  messageId: `m${n}`,
  traits: { email: `${n}@b.co` }
})

describe('GET /console/api/stats', () => {
  it('serves what the runs counted: requests by endpoint and status, 429s, batch sizes', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .times(2)
      .reply(200, ok({ id: 'CID_1' }))
    qualtrics().post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(429, {})
    expect((await call('POST', '/upsertContact', { payload: identify(1) })).status).toBe(200)
    await call('POST', '/upsertContact', { payload: [identify(2)] })
    await call('POST', '/upsertContact', { payload: identify(3) })

    const { status, body } = await call('GET', '/console/api/stats')
    expect(status).toBe(200)
    expect(body.counters).toEqual(
      expect.arrayContaining([
        { name: 'qualtrics.request', tags: ['endpoint:contacts.create', 'status:200'], value: 2 },
        { name: 'qualtrics.request', tags: ['endpoint:contacts.create', 'status:429'], value: 1 },
        { name: 'qualtrics.rate_limited', tags: ['endpoint:contacts.create'], value: 1 }
      ])
    )
    expect(body.histograms).toEqual([
      { name: 'qualtrics.batch_size', tags: ['action:upsertContact'], count: 1, sum: 1, min: 1, max: 1 }
    ])
  })

  it('takes GET only', async () => {
    expect((await call('POST', '/console/api/stats', {})).status).toBe(405)
  })
})

describe('MemoryStatsClient', () => {
  it('adds counters up by name and tags (in any order), and keeps count, sum, min and max of histograms', () => {
    const stats = new MemoryStatsClient()
    stats.incr('a', 1, ['x:1', 'y:2'])
    stats.incr('a', 2, ['y:2', 'x:1'])
    stats.incr('a')
    stats.set('g', 7)
    stats.histogram('h', 5)
    stats.histogram('h', 1)
    stats.histogram('h', 9)
    expect(stats.snapshot()).toEqual({
      counters: [
        { name: 'a', tags: [], value: 1 },
        { name: 'a', tags: ['x:1', 'y:2'], value: 3 },
        { name: 'g', tags: [], value: 7 }
      ],
      histograms: [{ name: 'h', tags: [], count: 3, sum: 15, min: 1, max: 9 }]
    })
  })
})
