import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import nock from 'nock'
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

// What the local server answers never shows a secret, whatever Qualtrics echoes back (the destination's own errors
// and results: src/destinations/qualtrics/__tests__/secrets.test.ts).
const WORKFLOW = '/inbound-event/v1/events/json/triggers?urlTokenId=s1'
const echo = (status: number) => ({
  meta: { httpStatus: `${status}`, requestId: `token ${API_TOKEN}`, error: { errorMessage: `bad token ${API_TOKEN}` } }
})

/** Every form of the OAuth secrets that must never leave: the secret, the Basic credentials and the access token. */
const OAUTH_LEAKS = [CLIENT_SECRET, BASIC.slice('Basic '.length), ACCESS_TOKEN]
const expectNoOAuthLeak = (text: string) => {
  for (const leak of OAUTH_LEAKS) expect(text).not.toContain(leak)
}

describe('the API token', () => {
  describe('in what the local server reports', () => {
    // The server runs in this process with the real settings and no local API origin, so Qualtrics is
    // https://iad1.qualtrics.com and nock declares (and checks the credentials of) every request it makes.
    let server: Awaited<ReturnType<typeof startLocalServer>>
    beforeAll(async () => {
      server = await startLocalServer({ settings })
    })
    afterAll(() => server.close())

    const USERNAME = 'ada@example.com'
    const LEAKS = [
      API_TOKEN,
      Buffer.from(API_TOKEN).toString('base64'),
      Buffer.from(`${USERNAME}:${API_TOKEN}`).toString('base64')
    ]
    const snapshotFile = join(__dirname, '__snapshots__', 'secrets-reports.test.ts.snap')

    /** The raw response text, checked for every form of the token before anything parses or snapshots it. */
    async function post(path: string, body: unknown) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body)
      })
      const text = await response.text()
      for (const leak of LEAKS) expect(text).not.toContain(leak)
      return { status: response.status, body: JSON.parse(text) }
    }

    function expectSnapshotFileClean() {
      const snapshots = readFileSync(snapshotFile, 'utf8')
      for (const leak of LEAKS) expect(snapshots).not.toContain(leak)
    }

    it('is not in POST /upsertContact: the request headers and an echo in the Qualtrics reply are redacted', async () => {
      // Qualtrics echoing the token back (here in its request id) must be caught by the server's text redaction;
      // the X-API-TOKEN header by its header redaction.
      const scope = qualtrics()
        .post(`/API/v3/directories/${DIRECTORY}/contacts`, { extRef: 'u1', email: 'a@b.co' })
        .reply(200, { result: { id: 'CID_1' }, meta: { httpStatus: '200 - OK', requestId: `req for ${API_TOKEN}` } })
      const response = await post('/upsertContact', {
        payload: { type: 'identify', userId: 'u1', messageId: 'm1', traits: { email: 'a@b.co' } },
        mapping: { directoryId: DIRECTORY }
      })
      expect(scope.isDone()).toBe(true)
      expect(response.status).toBe(200)
      // Everything in this reply is fixed by the event and the nock reply (no port, timing or generated id), so
      // it is snapshotted as the server sent it, header values included.
      expect(response.body).toMatchSnapshot()
      expect(response.body.requests[0].request.headers['x-api-token']).toBe('[redacted]')
      expect(response.body.requests[0].response.body.meta.requestId).toBe('req for [redacted]')
      expectSnapshotFileClean()
    })

    it('is not in POST /triggerXflow with Basic credentials, which text redaction alone would miss', async () => {
      // The Authorization header carries base64(username:token): only the header redaction can hide it.
      const scope = nock(API, {
        reqheaders: { authorization: `Basic ${Buffer.from(`${USERNAME}:${API_TOKEN}`).toString('base64')}` },
        badheaders: ['x-api-token']
      })
        .post(WORKFLOW, { event: 'Survey Completed' })
        .reply(202, {})
      const response = await post('/triggerXflow', {
        payload: { type: 'track', event: 'Survey Completed', messageId: 'm2' },
        mapping: {
          workflowUrl: `${API}${WORKFLOW}`,
          authMethod: 'basic',
          username: USERNAME,
          eventPayload: { event: { '@path': '$.event' } }
        }
      })
      expect(scope.isDone()).toBe(true)
      expect(response.status).toBe(200)
      expect(response.body).toMatchSnapshot()
      expect(response.body.requests[0].request.headers.authorization).toBe('[redacted]')
      expectSnapshotFileClean()
    })

    it('is not in POST /upsertContact with an OAuth client: the secret, Basic credentials and access token', async () => {
      tokenEndpoint().reply(200, { ...issued(), note: `echo ${ACCESS_TOKEN}` })
      const scope = withBearer()
        .post(`/API/v3/directories/${DIRECTORY}/contacts`)
        .reply(200, { result: { id: 'CID_1' }, meta: { requestId: `for ${ACCESS_TOKEN} ${CLIENT_SECRET}` } })
      const response = await fetch(`${server.url}/upsertContact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          payload: { type: 'identify', userId: 'u1', messageId: 'm3', traits: { email: 'a@b.co' } },
          mapping: { directoryId: DIRECTORY },
          settings: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }
        })
      })
      const text = await response.text()
      expect(scope.isDone()).toBe(true)
      expect(response.status).toBe(200)
      expectNoOAuthLeak(text)
      for (const leak of LEAKS) expect(text).not.toContain(leak)
      const body = JSON.parse(text)
      expect(body.requests.map((r: { request: { url: string } }) => r.request.url)).toEqual([
        `${API}/oauth2/token`,
        `${API}/API/v3/directories/${DIRECTORY}/contacts`
      ])
      expect(body.requests[0].response.body.access_token).toBe('[redacted]')
    })
  })
})

describe('the API token in audience calls', () => {
  it('is not in what POST /createAudience answers', async () => {
    const server = await startLocalServer({ settings, log: () => undefined })
    try {
      qualtrics().get('/API/v3/directories').reply(429, echo(429))
      const response = await fetch(`${server.url}/createAudience`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ audienceName: 'A', audienceSettings: { directoryId: DIRECTORY } })
      })
      const text = await response.text()
      expect(response.status).toBe(400)
      expect(text).toContain('[redacted]')
      expect(text).not.toContain(API_TOKEN)
    } finally {
      await server.close()
    }
  })
})
