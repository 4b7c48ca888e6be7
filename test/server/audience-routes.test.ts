import nock from 'nock'
import { jsonCaller } from './json-caller'
import { startLocalServer } from '../../src/server/local-server'

// The server runs in this process, so nock sees (and must declare) every request it makes to Qualtrics.
const TOKEN = 'server-SECRET-audience-token-58'
const OTHER_TOKEN = 'request-SECRET-audience-token-13'
const API = 'https://iad1.qualtrics.com'
const DIRECTORY = 'POOL_srv1'
let server: Awaited<ReturnType<typeof startLocalServer>>

// A server (and so a destination instance) per test: what one test's directory answered is not another's.
beforeEach(async () => {
  server = await startLocalServer({ settings: { apiToken: TOKEN, datacenter: 'iad1' } })
})
afterEach(() => server.close())

const call = jsonCaller(() => server.url, TOKEN)
const qualtrics = (token = TOKEN) => nock(API, { reqheaders: { 'x-api-token': token } })
const ok = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'r' } })
const directories = (criteria: Record<string, boolean>, token = TOKEN) =>
  qualtrics(token)
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: criteria }], nextPage: null }))

describe('POST /createAudience', () => {
  it('is listed on GET /', async () => {
    const index = await call('GET', '/')
    expect(index.body.routes).toEqual(expect.arrayContaining(['POST /createAudience', 'POST /getAudience']))
  })

  it('creates the list with the server settings and answers the external id, as the CLI does', async () => {
    directories({ email: true })
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/mailinglists`, { name: 'VIP churn risk' })
      .reply(200, ok({ id: 'CG_vip1' }))
    const answer = await call('POST', '/createAudience', {
      audienceName: 'VIP churn risk',
      audienceSettings: { directoryId: DIRECTORY }
    })
    expect(answer).toEqual({ status: 200, body: { externalId: `${DIRECTORY}:CG_vip1` } })
  })

  it('uses the settings a request gives, and redacts their token from a failure', async () => {
    qualtrics(OTHER_TOKEN)
      .get('/API/v3/directories')
      .reply(503, { meta: { error: { errorMessage: `down ${OTHER_TOKEN}` } } })
    const response = await fetch(`${server.url}/createAudience`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        audienceName: 'VIP',
        audienceSettings: { directoryId: DIRECTORY },
        settings: { apiToken: OTHER_TOKEN, datacenter: 'iad1' }
      })
    })
    const text = await response.text()
    expect(text).not.toContain(OTHER_TOKEN)
    expect(response.status).toBe(400)
    expect(JSON.parse(text)).toMatchObject({ ok: false, status: 503, retryable: true })
  })

  it('answers a refused directory as a final 400 with the reason', async () => {
    directories({ email: false })
    const answer = await call('POST', '/createAudience', {
      audienceName: 'VIP',
      audienceSettings: { directoryId: DIRECTORY }
    })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({
      ok: false,
      status: 400,
      retryable: false,
      errortype: 'DEDUPLICATION_REQUIRED',
      error: expect.stringMatching(/does not deduplicate contacts.*Turn on Automatic deduplication/)
    })
  })

  it.each([
    [[1], /^Body must be an object/],
    [{ audienceSettings: { directoryId: DIRECTORY } }, /^"audienceName" must be a string/],
    [{ audienceName: 'x', audienceSettings: 'POOL_1' }, /^"audienceSettings" must be an object/],
    [{ audienceName: 'x', settings: 7 }, /^"settings" must be an object/]
  ])('refuses a malformed body %j with a 400 and calls nothing', async (body, message) => {
    const answer = await call('POST', '/createAudience', body)
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatch(message)
  })

  it('takes POST only', async () => {
    expect((await call('GET', '/createAudience')).status).toBe(405)
  })
})

describe('POST /getAudience', () => {
  it('answers the external id when the list exists', async () => {
    qualtrics()
      .get(`/API/v3/directories/${DIRECTORY}/mailinglists/CG_vip1`)
      .reply(200, ok({ mailingListId: 'CG_vip1', name: 'VIP' }))
    const answer = await call('POST', '/getAudience', { externalId: `${DIRECTORY}:CG_vip1` })
    expect(answer).toEqual({ status: 200, body: { externalId: `${DIRECTORY}:CG_vip1` } })
  })

  it('answers a missing list as a 400 naming it', async () => {
    qualtrics()
      .get(`/API/v3/directories/${DIRECTORY}/mailinglists/CG_gone1`)
      .reply(404, { meta: { error: { errorMessage: 'Not Found' } } })
    const answer = await call('POST', '/getAudience', { externalId: `${DIRECTORY}:CG_gone1` })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ ok: false, status: 404, errortype: 'MAILING_LIST_NOT_FOUND' })
    expect(answer.body.error).toContain('CG_gone1')
  })

  it('refuses a malformed external id without calling Qualtrics', async () => {
    const answer = await call('POST', '/getAudience', { externalId: 'CG_vip1' })
    expect(answer.body).toMatchObject({
      ok: false,
      status: 400,
      error: expect.stringMatching(/not one this destination made/)
    })
  })

  it('refuses a body without an external id', async () => {
    const answer = await call('POST', '/getAudience', {})
    expect(answer).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^"externalId" must be a string/) }
    })
  })
})
