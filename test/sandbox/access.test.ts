import { connect } from 'node:net'
import { startSandbox } from '../../src/sandbox'
import type { Sandbox } from '../../src/sandbox'
import { rawRequest } from '../server/raw-http'
import type { RawResponse } from '../server/raw-http'
import {
  api,
  call,
  control,
  createContact,
  DIR,
  expectQualtricsError,
  requestToken,
  start,
  state,
  testSeed,
  TOKEN
} from './helpers'

// Who may call the sandbox's port (docs/local-server.md, "Who may call it"): the Host and Origin rules of the main
// port on every route, JSON bodies (a form for the token endpoint), and the per-start key on every /__sandbox route
// that changes something. Real HTTP on 127.0.0.1 with exactly the headers given (fetch cannot set Host).
const SURVEY = 'SV_guard0000001'
const surveys = [
  {
    surveyId: SURVEY,
    name: 'Guarded',
    questions: [{ questionId: 'QID1', exportTag: 'score', type: 'number' as const }]
  }
]
const ATTACKER = 'http://attacker.example'
const SEEDED_EMAIL = 'seeded@example.com'

let sandbox: Sandbox
let self: string
beforeEach(async () => {
  sandbox = await start({ seed: testSeed({ surveys }) })
  self = `127.0.0.1:${sandbox.port}`
})
afterEach(() => sandbox.close())

const raw = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  rawRequest(sandbox.port, method, path, { host: self, ...headers }, body)
const completion = JSON.stringify({ directoryId: DIR, email: SEEDED_EMAIL, answers: { score: 10 } })
const responsesOf = async () => (await state(sandbox)).surveys[0].responses as unknown[]

/** Bytes straight onto a socket, for a request line that no HTTP client (nor nock's interceptor) would send. */
function socketRequest(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(sandbox.port, '127.0.0.1', () => socket.end(bytes))
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    socket.on('close', () => resolve(text))
    socket.on('error', reject)
  })
}

function expectRefused(response: RawResponse, status: number, reason: RegExp): void {
  expect(response.status).toBe(status)
  expect(response.headers['access-control-allow-origin']).toBeUndefined()
  expect(JSON.parse(response.text).error).toMatch(reason)
  expect(response.text).not.toContain(sandbox.controlKey)
}

describe('a web page on another site', () => {
  // Simple requests: a browser sends them without a preflight, with the page's Origin.
  const crossSite = (path: string, body: string) =>
    raw('POST', path, { origin: ATTACKER, 'content-type': 'text/plain;charset=UTF-8' }, body)

  it('cannot reset the store, set faults, move the clock or complete a survey, and changes nothing', async () => {
    const before = await state(sandbox)
    const clock = sandbox.clock.now()
    expectRefused(await crossSite('/__sandbox/reset', ''), 403, /attacker\.example are refused/)
    expectRefused(await crossSite('/__sandbox/faults', '{"rates":{"*":{"status500":1}}}'), 403, /refused/)
    expectRefused(await crossSite('/__sandbox/clock', '{"advanceMs":86400000}'), 403, /refused/)
    expectRefused(await crossSite(`/__sandbox/surveys/${SURVEY}/responses`, completion), 403, /refused/)
    expect(await state(sandbox)).toEqual(before)
    expect(await responsesOf()).toEqual([])
    expect(sandbox.clock.now() - clock).toBeLessThan(60_000)
    expect((await call(sandbox, 'GET', '/__sandbox/faults', undefined, {})).body).toEqual({})
  })

  it('is refused even with the key, and a Qualtrics API call from it too (in Qualtrics error shape)', async () => {
    const withKey = { origin: ATTACKER, 'content-type': 'application/json', ...control(sandbox) }
    expectRefused(await raw('POST', '/__sandbox/reset', withKey), 403, /refused/)
    const created = await raw(
      'POST',
      api(`/directories/${DIR}/contacts`),
      { origin: ATTACKER, 'content-type': 'application/json', 'x-api-token': TOKEN },
      JSON.stringify({ email: 'forged@example.com' })
    )
    expect(created.status).toBe(403)
    expectQualtricsError(JSON.parse(created.text), '403 - Forbidden', 'SANDBOX_REQUEST_REFUSED')
    const whoami = await raw('GET', api('/whoami'), { origin: 'null', 'x-api-token': TOKEN })
    expect(whoami.status).toBe(403)
    expect(JSON.stringify(await state(sandbox))).not.toContain('forged@example.com')
  })

  it('cannot read what the sandbox holds', async () => {
    const read = await raw('GET', '/__sandbox/state', { origin: ATTACKER })
    expectRefused(read, 403, /refused/)
    expect(read.text).not.toContain(SEEDED_EMAIL)
  })
})

describe('the Host header', () => {
  it.each(['attacker.example:PORT', '127.0.0.1:OTHER', 'localhost.attacker.example:PORT', '127.0.0.1'])(
    '%s (DNS rebinding, another port) cannot read /__sandbox/state or call the API',
    async (template) => {
      const host = template.replace('PORT', String(sandbox.port)).replace('OTHER', String(sandbox.port + 1))
      const read = await rawRequest(sandbox.port, 'GET', '/__sandbox/state', { host })
      expectRefused(read, 403, /is not this server/)
      expect(read.text).not.toContain(SEEDED_EMAIL)
      const whoami = await rawRequest(sandbox.port, 'GET', api('/whoami'), { host, 'x-api-token': TOKEN })
      expect(whoami.status).toBe(403)
      expectQualtricsError(JSON.parse(whoami.text), '403 - Forbidden', 'SANDBOX_REQUEST_REFUSED')
    }
  )

  it('refuses a Host or a request target that is not a URL, and keeps serving', async () => {
    expect((await rawRequest(sandbox.port, 'GET', '/__sandbox/state', { host: 'a b' })).status).toBe(403)
    const reply = await socketRequest(
      `GET http://[/__sandbox/state HTTP/1.1\r\nHost: ${self}\r\nConnection: close\r\n\r\n`
    )
    expect(reply).toMatch(/^HTTP\/1\.1 400 /)
    expect((await raw('GET', '/__sandbox/clock', {})).status).toBe(200)
  })

  it.each(['127.0.0.1:PORT', 'localhost:PORT', '[::1]:PORT'])('%s is answered', async (template) => {
    const host = template.replace('PORT', String(sandbox.port))
    const read = await rawRequest(sandbox.port, 'GET', '/__sandbox/state', { host })
    expect(read.status).toBe(200)
    expect(read.text).toContain(SEEDED_EMAIL)
    // A listing's nextPage is built from the Host, which is now always this sandbox.
    const whoami = await rawRequest(sandbox.port, 'GET', api('/whoami'), { host, 'x-api-token': TOKEN })
    expect(whoami.status).toBe(200)
  })
})

describe('the key of the control routes', () => {
  const routes: [string, string, () => string | undefined][] = [
    ['POST', '/__sandbox/reset', () => undefined],
    ['PUT', '/__sandbox/faults', () => '{"latencyMs":1}'],
    ['POST', '/__sandbox/faults', () => '{"latencyMs":1}'],
    ['POST', '/__sandbox/clock', () => '{"advanceMs":1}'],
    ['POST', `/__sandbox/surveys/${SURVEY}/responses`, () => completion]
  ]

  it.each(routes)('%s %s: refused without it or with a wrong one, answered with it', async (method, path, body) => {
    const headers = (key?: string): Record<string, string> => ({
      ...(body() === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'x-sandbox-key': key })
    })
    const before = await state(sandbox)
    expectRefused(await raw(method, path, headers(), body()), 403, /x-sandbox-key/)
    expectRefused(await raw(method, path, headers('wrong'), body()), 403, /x-sandbox-key/)
    expectRefused(await raw(method, path, headers(sandbox.controlKey.slice(0, -1)), body()), 403, /x-sandbox-key/)
    expect(await state(sandbox)).toEqual(before)
    expect((await raw(method, path, headers(sandbox.controlKey), body())).status).toBe(200)
  })

  it('guards deleting a survey response too', async () => {
    const done = await call(sandbox, 'POST', `/__sandbox/surveys/${SURVEY}/responses`, JSON.parse(completion), {
      ...control(sandbox)
    })
    const path = `/__sandbox/surveys/${SURVEY}/responses/${done.body.responseId}`
    expect((await call(sandbox, 'DELETE', path, undefined, {})).status).toBe(403)
    expect(await responsesOf()).toHaveLength(1)
    expect((await call(sandbox, 'DELETE', path, undefined, control(sandbox))).status).toBe(200)
    expect(await responsesOf()).toHaveLength(0)
  })

  it('is not needed to read: state, stats, faults and clock answer any local tool', async () => {
    for (const path of ['/__sandbox/state', '/__sandbox/stats', '/__sandbox/faults', '/__sandbox/clock']) {
      expect([path, (await raw('GET', path, {})).status]).toEqual([path, 200])
    }
  })

  it('is random, new at every start, and never shown by the sandbox', async () => {
    const other = await startSandbox({ port: 0 })
    try {
      expect(sandbox.controlKey).toMatch(/^[\w-]{32,}$/)
      expect(other.controlKey).not.toBe(sandbox.controlKey)
      const shown = JSON.stringify([await state(sandbox), (await call(sandbox, 'GET', '/__sandbox/stats')).body])
      expect(shown).not.toContain(sandbox.controlKey)
    } finally {
      await other.close()
    }
  })
})

describe('the content type of a body', () => {
  it('must be JSON on a control route, key or not', async () => {
    const text = { 'content-type': 'text/plain', ...control(sandbox) }
    expectRefused(await raw('PUT', '/__sandbox/faults', text, '{"latencyMs":5}'), 415, /application\/json/)
    expect((await call(sandbox, 'GET', '/__sandbox/faults', undefined, {})).body).toEqual({})
    // Without a body there is nothing to label: a reset needs only the key.
    expect((await raw('POST', '/__sandbox/reset', control(sandbox))).status).toBe(200)
  })

  it('must be JSON on a Qualtrics API route (refused in Qualtrics error shape)', async () => {
    const created = await raw(
      'POST',
      api(`/directories/${DIR}/contacts`),
      { 'content-type': 'text/plain', 'x-api-token': TOKEN },
      JSON.stringify({ email: 'plain@example.com' })
    )
    expect(created.status).toBe(415)
    expectQualtricsError(JSON.parse(created.text), '415 - Unsupported Media Type', 'SANDBOX_UNSUPPORTED_MEDIA_TYPE')
    expect(JSON.stringify(await state(sandbox))).not.toContain('plain@example.com')
    expect((await createContact(sandbox, { email: 'json@example.com' })).status).toBe(200)
  })

  it('is a form on the OAuth token endpoint, as Qualtrics takes it', async () => {
    expect((await requestToken(sandbox)).status).toBe(200)
    const plain = await raw('POST', '/oauth2/token', { 'content-type': 'text/plain' }, 'grant_type=client_credentials')
    expect(plain.status).toBe(415)
    expect(JSON.parse(plain.text).meta.error.errorMessage).toMatch(/application\/x-www-form-urlencoded/)
  })
})

describe('allow-listed origins', () => {
  const TOOL = 'https://tools.example'
  let open: Sandbox
  beforeEach(async () => (open = await startSandbox({ port: 0, seed: testSeed(), allowedOrigins: [TOOL] })))
  afterEach(() => open.close())

  it('may read, with CORS headers, and are answered a preflight; other origins still may not', async () => {
    const host = `127.0.0.1:${open.port}`
    const read = await rawRequest(open.port, 'GET', '/__sandbox/state', { host, origin: TOOL })
    expect(read.status).toBe(200)
    expect(read.headers['access-control-allow-origin']).toBe(TOOL)
    const preflight = await rawRequest(open.port, 'OPTIONS', '/__sandbox/faults', {
      host,
      origin: TOOL,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type, x-sandbox-key'
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type, x-sandbox-key')
    const other = await rawRequest(open.port, 'GET', '/__sandbox/state', { host, origin: ATTACKER })
    expect(other.status).toBe(403)
  })

  it.each(['https://tools.example/path', 'tools.example', 'null'])(
    'stop the start with "%s", which is no origin',
    (origin) => {
      // Checked before anything listens, as the seed and the fault settings are.
      expect(() => startSandbox({ port: 0, allowedOrigins: [origin] })).toThrow(/is not an origin/)
    }
  )
})
