import nock from 'nock'
import { startLocalServer } from '../../src/server/local-server'
import { startNpmStartProcess } from './npm-start-process'
import type { NpmStartProcess } from './npm-start-process'

// A token is whatever a request's settings say. Redaction used to replace it inside the answer's JSON text and parse
// that again, so a token like ":" broke the JSON, the error escaped, and the process died.
const JSON_HEADERS = { 'content-type': 'application/json' }
const unauthorized = { meta: { httpStatus: '401 - Unauthorized', error: { errorMessage: 'bad token' } } }

describe('POST /authenticate with a token made of JSON punctuation', () => {
  const TOKEN = 'jsonish-SECRET-token-3307'
  const API = 'https://iad1.qualtrics.com'
  let server: Awaited<ReturnType<typeof startLocalServer>>
  const logs: string[] = []
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1')
    server = await startLocalServer({ settings: { apiToken: TOKEN, datacenter: 'iad1' }, log: (l) => logs.push(l) })
  })
  afterAll(() => server.close())

  // The long one spans two members of the compact answer {"ok":false,"error":"…"}.
  it.each([':', '"', '\\', '{', ',', 'null', '":"', 'false,"error":"'])(
    'answers %j with ok: false in valid JSON, and keeps answering',
    async (apiToken) => {
      const scope = nock(API, { reqheaders: { 'x-api-token': apiToken } })
        .get('/API/v3/whoami')
        .reply(401, unauthorized)
      const response = await fetch(`${server.url}/authenticate`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ apiToken })
      })
      const text = await response.text()
      expect(scope.isDone()).toBe(true)
      expect(response.status).toBe(200)
      expect(JSON.parse(text)).toEqual({ ok: false, error: expect.stringMatching(/API token is invalid/) })
      expect(text).not.toContain(TOKEN)
      expect((await fetch(`${server.url}/`)).status).toBe(200)
      // A short token is not searched for in the log line, so the line stays readable.
      expect(logs.filter((line) => line.startsWith('POST')).at(-1)).toMatch(/^POST \/authenticate 200 \d+ms$/)
    }
  )
})

describe('npm start (a process of its own)', () => {
  let started: NpmStartProcess
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1')
    started = await startNpmStartProcess()
  }, 30_000)
  afterAll(() => started?.stop())

  it('is not stopped by POST /authenticate {"apiToken":":"}', async () => {
    const response = await fetch(`${started.url}/authenticate`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"apiToken":":"}'
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: false, error: expect.stringMatching(/API token is invalid/) })
    expect((await fetch(`${started.url}/`)).status).toBe(200)
    expect(started.child.exitCode).toBeNull()
    expect(started.stderr()).toBe('')
  })
})
