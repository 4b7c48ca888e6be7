import nock from 'nock'
import definition from '../../src/destinations/qualtrics'
import { startLocalServer } from '../../src/server/local-server'

// The server runs in this process, so nock sees (and must declare) every request it makes to Qualtrics.
const TOKEN = 'server-SECRET-delete-token-31'
const OTHER_TOKEN = 'request-SECRET-delete-token-97'
const API = 'https://iad1.qualtrics.com'
let server: Awaited<ReturnType<typeof startLocalServer>>

beforeAll(async () => {
  server = await startLocalServer({ settings: { apiToken: TOKEN, datacenter: 'iad1' } })
})
afterAll(() => server.close())

async function call(body: unknown, url = server.url) {
  const response = await fetch(`${url}/delete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  expect(text).not.toContain(TOKEN)
  expect(text).not.toContain(OTHER_TOKEN)
  return { status: response.status, body: JSON.parse(text) }
}

const ok = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'r' } })
const qualtrics = (token = TOKEN) => nock(API, { reqheaders: { 'x-api-token': token } })
const searchBody = (value: string) => ({ filter: { filterType: 'extRef', comparison: 'eq', value } })

describe('POST /delete', () => {
  it('runs onDelete with the server settings and answers the result', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_S' }], nextPage: null }))
    qualtrics()
      .post('/API/v3/directories/POOL_S/contacts/search', searchBody('u1'))
      .query({ pageSize: '100' })
      .reply(200, ok({ elements: [{ id: 'CID_S', extRef: 'u1', email: 'u1@x.co' }], nextPage: null }))
    qualtrics().delete('/API/v3/directories/POOL_S/contacts/CID_S').reply(200, ok({}))
    const answer = await call({ payload: { userId: 'u1', anonymousId: 'a1' } })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      ok: true,
      result: { userId: 'u1', contactsDeleted: 1, directories: [{ directoryId: 'POOL_S', deleted: ['CID_S'] }] }
    })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('uses the settings a request gives, and redacts their token from a failure', async () => {
    qualtrics(OTHER_TOKEN)
      .get('/API/v3/directories')
      .reply(429, { meta: { error: { errorMessage: `slow down ${OTHER_TOKEN}` } } })
    const answer = await call({ payload: { userId: 'u1' }, settings: { apiToken: OTHER_TOKEN, datacenter: 'iad1' } })
    expect(answer).toMatchObject({
      status: 200,
      body: { ok: false, status: 429, retryable: true, errormessage: expect.stringContaining('[redacted]') }
    })
    expect(answer.body.errormessage).toMatch(/rate limited.*Nothing was deleted\.$/)
  })

  it('reports a missing userId as a final 400 without calling Qualtrics', async () => {
    const answer = await call({ payload: { anonymousId: 'a1' } })
    expect(answer.body).toMatchObject({
      ok: false,
      status: 400,
      retryable: false,
      errortype: 'PAYLOAD_VALIDATION_FAILED',
      errormessage: expect.stringMatching(/^userId is missing/)
    })
    // No payload at all is the same (the CLI passes `payload ?? {}`).
    expect((await call({})).body).toMatchObject({ ok: false, status: 400 })
  })

  it.each([
    [[1, 2], /^Body must be an object/],
    [{ payload: 'u1' }, /^"payload" must be an object/],
    [{ payload: { userId: 'u1' }, settings: 'x' }, /^"settings" must be an object/]
  ])('refuses a malformed body %j with a 400', async (body, message) => {
    const answer = await call(body)
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatch(message)
  })

  it('takes POST only', async () => {
    const response = await fetch(`${server.url}/delete`)
    expect(response.status).toBe(405)
  })

  it('does not exist for a destination without onDelete', async () => {
    const bare = await startLocalServer({
      definition: { ...definition, onDelete: undefined },
      settings: { apiToken: TOKEN, datacenter: 'iad1' }
    })
    try {
      const answer = await call({ payload: { userId: 'u1' } }, bare.url)
      expect(answer.status).toBe(404)
    } finally {
      await bare.close()
    }
  })
})
