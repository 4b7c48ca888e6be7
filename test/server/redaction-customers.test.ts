import nock from 'nock'
import { createQualtrics } from '../../src/destinations/qualtrics'
import { CONSOLE_API_ROUTES } from '../../src/server/console/api'
import { startLocalServer } from '../../src/server/local-server'
import {
  API,
  API_TOKEN,
  DIRECTORY,
  qualtrics,
  settings
} from '../../src/destinations/qualtrics/__tests__/__helpers__/qualtrics'
import {
  ACCESS_TOKEN,
  BASIC,
  CLIENT_ID,
  CLIENT_SECRET,
  issued,
  tokenEndpoint,
  withBearer
} from '../../src/destinations/qualtrics/__tests__/__helpers__/oauth'

// The local server shows the exchanges actions-core recorded: each request's answer, and each record of the
// delivery log, is redacted with the secrets of the request that made it (its settings' token and OAuth secret, and
// the credentials its own exchanges carried), never with another request's.
const CONTACTS = `/API/v3/directories/${DIRECTORY}/contacts`
/** Customer A's API token: a word Qualtrics' answers use as a key. */
const A_TOKEN = 'requestId'

let server: Awaited<ReturnType<typeof startLocalServer>>
// A server (and so a destination instance) per test: no test finds another's OAuth token kept.
beforeEach(async () => {
  server = await startLocalServer({ settings })
})
afterEach(() => server.close())

// The server's JSON answer, read field by field as the tests need it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>

async function post(path: string, body: unknown): Promise<{ status: number; text: string; body: Answer }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, text, body: JSON.parse(text) }
}

const identify = (userId: string) => ({
  type: 'identify',
  userId,
  messageId: `m-${userId}`,
  traits: { email: 'a@b.co' }
})

async function deliveries(): Promise<string> {
  return (await fetch(`${server.url}${CONSOLE_API_ROUTES.deliveries}`)).text()
}

describe('the local server redacts each request with its own secrets', () => {
  it("does not redact customer A's token out of customer B's answers, in the reply or in the delivery log", async () => {
    nock(API, { reqheaders: { 'x-api-token': A_TOKEN } })
      .post(CONTACTS)
      .reply(400, { meta: { requestId: 'req-a', error: { errorMessage: `bad token ${A_TOKEN}` } } })
    const a = await post('/upsertContact', {
      payload: identify('a-1'),
      mapping: { directoryId: DIRECTORY },
      settings: { apiToken: A_TOKEN, datacenter: 'iad1' }
    })
    expect(a.status).toBe(200)
    expect(a.text).not.toContain(`bad token ${A_TOKEN}`)

    qualtrics()
      .post(CONTACTS)
      .reply(200, { result: { id: 'CID_b' }, meta: { httpStatus: '200 - OK', requestId: 'req-b' } })
    const b = await post('/upsertContact', { payload: identify('b-1'), mapping: { directoryId: DIRECTORY } })
    expect(b.body.results[0]).toMatchObject({ status: 200, body: { contactId: 'CID_b' } })
    expect(b.body.requests[0].response.body).toEqual({
      result: { id: 'CID_b' },
      meta: { httpStatus: '200 - OK', requestId: 'req-b' }
    })
    expect(b.text).not.toContain('[redacted]":')

    const records = JSON.parse(await deliveries()).deliveries as Array<{ messageId: string; requests: unknown[] }>
    const recordOf = (messageId: string) => records.find((record) => record.messageId === messageId)
    expect(JSON.stringify(recordOf('m-b-1')?.requests)).toContain('"requestId":"req-b"')
    expect(JSON.stringify(recordOf('m-a-1'))).not.toContain(`bad token ${A_TOKEN}`)
  })

  it("redacts an OAuth request's access token, client secret and Basic credentials, also in the delivery log later", async () => {
    tokenEndpoint().reply(200, { ...issued(), note: `echo ${ACCESS_TOKEN}` })
    withBearer()
      .post(CONTACTS)
      .reply(200, { result: { id: 'CID_o' }, meta: { requestId: `for ${ACCESS_TOKEN} ${CLIENT_SECRET}` } })
    const answer = await post('/upsertContact', {
      payload: identify('o-1'),
      mapping: { directoryId: DIRECTORY },
      settings: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }
    })
    expect(answer.body.results[0]).toMatchObject({ status: 200 })
    // The delivery log is read later, by a request that has none of these secrets.
    for (const text of [answer.text, await deliveries()]) {
      for (const leak of [ACCESS_TOKEN, CLIENT_SECRET, BASIC.slice('Basic '.length), API_TOKEN]) {
        expect(text).not.toContain(leak)
      }
    }
    expect(answer.body.requests[0].response.body.access_token).toBe('[redacted]')
    expect(answer.body.requests[1].response.body.meta.requestId).toBe('for [redacted] [redacted]')
  })

  it('redacts an access token issued in the request even when no later exchange carried it (the call timed out)', async () => {
    // The token endpoint answers; the call that would have used the token gets no answer in time (no exchange
    // recorded). A reply that comes too late rather than a dropped connection: nock 14 can emit a replied error on a
    // socket nobody listens to any more, which ends the worker process on a loaded machine.
    await server.close()
    server = await startLocalServer({ settings, definition: createQualtrics({ requestTimeoutMs: 300 }) })
    tokenEndpoint().reply(200, issued())
    withBearer()
      .post(CONTACTS)
      .delay(5_000)
      .reply(200, { result: { id: 'CID_late' } })
    const answer = await post('/upsertContact', {
      payload: identify('o-2'),
      mapping: { directoryId: DIRECTORY },
      settings: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }
    })
    expect(answer.body.results[0]).toMatchObject({ retryable: true })
    for (const text of [answer.text, await deliveries()]) expect(text).not.toContain(ACCESS_TOKEN)
  })
})
