import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { rawRequest } from './raw-http'
import { tempFolder } from './tracking/helpers'

// The console's way into the sandbox (/console/api/sandbox/*): npm start's runtime hands the sandbox's per-start key
// to the proxy, which adds it server-side, so the console and examples/responses-round-trip.sh can change the sandbox
// while the sandbox's own control routes refuse whoever lacks the key. The main port's guard covers the proxy.
const SURVEY = 'SV_sandboxNps0001'
const JSON_TYPE = { 'content-type': 'application/json' }

let queue: ReturnType<typeof tempFolder>
let runtime: LocalRuntime
beforeAll(async () => {
  queue = tempFolder()
  runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    tracking: { queueFolder: queue.folder }
  })
})
afterAll(async () => {
  await runtime.close()
  queue.remove()
})

const sandbox = () => runtime.sandbox!
const directoryId = () => sandbox().store.snapshot().directories[0].directoryId
const proxied = async (method: string, name: string, body?: unknown) => {
  // The main port's guard wants every POST labelled JSON, a body-less reset included.
  const response = await fetch(`${runtime.url}/console/api/sandbox/${name}`, {
    method,
    ...(method === 'GET' ? {} : { headers: JSON_TYPE }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  expect(text).not.toContain(sandbox().controlKey)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: JSON.parse(text) as any }
}

describe('the console proxy', () => {
  it('changes the faults with the key the runtime holds, while the sandbox refuses a caller without it', async () => {
    const direct = await fetch(`${sandbox().url}/__sandbox/faults`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: '{"latencyMs": 3}'
    })
    expect(direct.status).toBe(403)
    expect((await proxied('PUT', 'faults', { latencyMs: 4 })).status).toBe(200)
    expect((await proxied('GET', 'faults')).body).toEqual({ latencyMs: 4 })
    // As the console page sends it: same origin, so the browser adds its Origin.
    const port = Number(new URL(runtime.url).port)
    const self = `127.0.0.1:${port}`
    const fromPage = await rawRequest(
      port,
      'PUT',
      '/console/api/sandbox/faults',
      { host: self, origin: `http://${self}`, ...JSON_TYPE },
      '{"latencyMs": 5}'
    )
    expect(fromPage.status).toBe(200)
    expect((await proxied('GET', 'faults')).body).toEqual({ latencyMs: 5 })
    expect((await proxied('PUT', 'faults', {})).status).toBe(200)
  })

  it('completes and deletes a survey response, as examples/responses-round-trip.sh does', async () => {
    sandbox().store.createContact(directoryId(), { extRef: 'proxy-user-1', email: 'proxy-user-1@example.com' })
    const done = await proxied('POST', `surveys/${SURVEY}/responses`, {
      directoryId: directoryId(),
      extRef: 'proxy-user-1',
      answers: { nps_score: 9 }
    })
    expect(done.status).toBe(200)
    expect(done.body).toMatchObject({ responseId: expect.stringMatching(/^R_/), callbacks: [] })
    const responses = () =>
      sandbox()
        .store.snapshot()
        .surveys[0].responses.map((r) => r.responseId)
    expect(responses()).toContain(done.body.responseId)
    expect((await proxied('DELETE', `surveys/${SURVEY}/responses/${done.body.responseId}`)).status).toBe(200)
    expect(responses()).not.toContain(done.body.responseId)
  })

  it('moves the clock and resets the sandbox', async () => {
    const before = (await proxied('GET', 'clock')).body.now
    const moved = await proxied('POST', 'clock', { advanceMs: 3_600_000 })
    expect(moved.status).toBe(200)
    expect(moved.body.now - before).toBeGreaterThanOrEqual(3_600_000)
    sandbox().store.createContact(directoryId(), { extRef: 'gone-after-reset' })
    expect((await proxied('POST', 'reset')).status).toBe(200)
    expect(JSON.stringify(sandbox().store.snapshot())).not.toContain('gone-after-reset')
  })

  it('answers 404 for a sandbox route it does not offer, 405 for a method, 415 for a body not JSON', async () => {
    expect((await proxied('GET', 'nothing')).status).toBe(404)
    expect((await proxied('GET', 'surveys/x/y/z')).status).toBe(404)
    expect((await proxied('GET', 'reset')).status).toBe(405)
    expect((await proxied('DELETE', `surveys/${SURVEY}/responses`)).status).toBe(405)
    const put = await fetch(`${runtime.url}/console/api/sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: '{"latencyMs": 9}'
    })
    expect(put.status).toBe(415)
  })

  it('is behind the main port guard: a cross-site page or a rebound name gets 403 and changes nothing', async () => {
    const port = Number(new URL(runtime.url).port)
    sandbox().store.createContact(directoryId(), { extRef: 'survives-attack' })
    const crossSite = await rawRequest(
      port,
      'POST',
      '/console/api/sandbox/reset',
      { host: `127.0.0.1:${port}`, origin: 'http://attacker.example', 'content-type': 'text/plain' },
      '{}'
    )
    expect(crossSite.status).toBe(403)
    const rebound = await rawRequest(port, 'GET', '/console/api/sandbox/state', { host: `attacker.example:${port}` })
    expect(rebound.status).toBe(403)
    expect(rebound.text).not.toContain('survives-attack')
    expect(JSON.stringify(sandbox().store.snapshot())).toContain('survives-attack')
  })

  it('says at start-up where to change the sandbox, without printing its key', () => {
    const summary = runtime.summary.join('\n')
    expect(summary).toContain(`${runtime.url}/console/api/sandbox/`)
    expect(summary).not.toContain(sandbox().controlKey)
  })
})
