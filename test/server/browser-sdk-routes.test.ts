import { loadLocalConfig } from '../../src/server/config'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { rawRequest } from './raw-http'
import { basicAuth, tempFolder, until } from './tracking/helpers'

// What Segment's browser library (analytics-next) sends, by hand: one call per request to /v1/<first letter of its
// type>, or {writeKey, batch, sentAt} to /v1/b, as text/plain JSON with the write key in the body and as Basic
// auth, each after a CORS preflight. Only origins the developer lists (LOCAL_SDK_ORIGINS) get through, and only to
// the tracking API. test/server/browser-sdk.test.ts runs the real library in Chromium.
const PAGE = 'http://localhost:5173'
const WRITE_KEY = 'browser-write-key-0001'
const TEXT = { 'content-type': 'text/plain' }

let runtime: LocalRuntime
let port: number
const queue = tempFolder()

beforeAll(async () => {
  runtime = await startLocalRuntime({
    config: {
      ...loadLocalConfig({ PORT: '0', SANDBOX_PORT: '0', LOCAL_SDK_ORIGINS: `${PAGE}, http://127.0.0.1:4000` })
    },
    tracking: { queueFolder: queue.folder, writeKey: WRITE_KEY }
  })
  port = Number(new URL(runtime.url).port)
})
afterAll(async () => {
  await runtime.close()
  queue.remove()
})

const host = () => ({ host: `127.0.0.1:${port}` })
const preflight = (path: string, origin: string) =>
  rawRequest(port, 'OPTIONS', path, {
    ...host(),
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization,content-type'
  })
const post = (path: string, body: unknown, headers: Record<string, string>) =>
  rawRequest(port, 'POST', path, { ...host(), ...headers }, JSON.stringify(body))
const fromPage = (key = WRITE_KEY) => ({ ...TEXT, origin: PAGE, authorization: basicAuth(key) })
const contacts = () => runtime.sandbox!.store.snapshot().directories[0].contacts

describe('LOCAL_SDK_ORIGINS', () => {
  it('lists the origins a browser SDK may send from, and refuses what is not an origin', () => {
    expect(
      loadLocalConfig({ LOCAL_SDK_ORIGINS: 'http://localhost:5173, HTTPS://App.Example:8443 ' }).sdkOrigins
    ).toEqual(['http://localhost:5173', 'https://app.example:8443'])
    expect(loadLocalConfig({}).sdkOrigins).toEqual([])
    expect(() => loadLocalConfig({ LOCAL_SDK_ORIGINS: 'localhost:5173' })).toThrow(
      /LOCAL_SDK_ORIGINS: "localhost:5173" is not an origin/
    )
    expect(() => loadLocalConfig({ LOCAL_SDK_ORIGINS: 'http://localhost:5173/app' })).toThrow(/not an origin/)
  })
})

describe('CORS preflights for a browser SDK', () => {
  it('are answered for a listed origin on the tracking API, allowing authorization and content-type', async () => {
    for (const path of ['/v1/t', '/v1/b', '/v1/batch']) {
      const answer = await preflight(path, PAGE)
      expect(answer.status).toBe(204)
      expect(answer.headers['access-control-allow-origin']).toBe(PAGE)
      expect(String(answer.headers['access-control-allow-headers']).split(', ')).toEqual(
        expect.arrayContaining(['authorization', 'content-type'])
      )
      expect(answer.headers['access-control-allow-methods']).toContain('POST')
    }
  })

  it('are refused for an origin not listed, and for a listed one anywhere but the tracking API', async () => {
    expect((await preflight('/v1/t', 'http://localhost:5174')).status).toBe(403)
    expect((await preflight('/v1/t', 'http://evil.example')).status).toBe(403)
    for (const path of ['/events', '/upsertContact', '/console/api/deliveries', '/console/api/sandbox/reset']) {
      expect((await preflight(path, PAGE)).status).toBe(403)
    }
  })
})

describe("the browser library's calls", () => {
  it('takes /v1/i and /v1/t as text/plain JSON from a listed origin, with the CORS header on the answer', async () => {
    const identify = { type: 'identify', userId: 'browser-1', traits: { email: 'b1@example.com' }, writeKey: WRITE_KEY }
    const answer = await post('/v1/i', { ...identify, messageId: 'browser-i-1' }, fromPage())
    expect(answer.status).toBe(200)
    expect(answer.headers['access-control-allow-origin']).toBe(PAGE)
    const track = {
      type: 'track',
      event: 'Transaction Created',
      userId: 'browser-1',
      messageId: 'browser-t-1',
      context: { traits: { email: 'b1@example.com' } },
      properties: { total: 3 },
      writeKey: WRITE_KEY
    }
    expect((await post('/v1/t', track, fromPage())).status).toBe(200)
    await until(() => runtime.deliveryLog.list('delivered').length >= 2)
    expect(contacts().filter((c) => c.extRef === 'browser-1')).toEqual([
      expect.objectContaining({ email: 'b1@example.com' })
    ])
  })

  it.each([
    ['/v1/p', 'page'],
    ['/v1/s', 'screen'],
    ['/v1/g', 'group'],
    ['/v1/a', 'alias']
  ])('takes %s as a %s call', async (path, type) => {
    const call = { userId: 'browser-2', previousId: 'anon-2', groupId: 'g-2', writeKey: WRITE_KEY }
    const answer = await post(path, { ...call, messageId: `browser-${type}-1` }, fromPage())
    expect(answer.status).toBe(200)
    const record = runtime.deliveryLog.list().find((r) => r.messageId === `browser-${type}-1`)
    expect(record?.type).toBe(type)
  })

  it('takes /v1/b, the batching mode: {writeKey, batch, sentAt}', async () => {
    const batch = [1, 2].map((n) => ({
      type: 'identify',
      userId: `browser-b${n}`,
      messageId: `browser-b-${n}`,
      traits: { email: `bb${n}@example.com` }
    }))
    const body = { writeKey: WRITE_KEY, batch, sentAt: new Date().toISOString() }
    expect((await post('/v1/b', body, { ...TEXT, origin: PAGE })).status).toBe(200)
    await until(() => contacts().some((c) => c.extRef === 'browser-b2'))
  })

  it('keeps the write-key rule: a wrong key in the header and in the body is a 401, and nothing is queued', async () => {
    const call = { type: 'identify', userId: 'browser-3', messageId: 'browser-wrong-1', writeKey: 'not-the-key' }
    const answer = await post('/v1/i', call, fromPage('not-the-key'))
    expect(answer.status).toBe(401)
    expect(answer.headers['access-control-allow-origin']).toBe(PAGE)
    expect(runtime.deliveryLog.list().some((r) => r.messageId === 'browser-wrong-1')).toBe(false)
  })

  it('refuses the same calls from an origin not listed, before reading them', async () => {
    const call = { type: 'identify', userId: 'browser-4', messageId: 'browser-foreign-1', writeKey: WRITE_KEY }
    const answer = await post('/v1/i', call, { ...fromPage(), origin: 'http://localhost:5174' })
    expect(answer.status).toBe(403)
    expect(answer.headers['access-control-allow-origin']).toBeUndefined()
    expect(runtime.deliveryLog.list().some((r) => r.messageId === 'browser-foreign-1')).toBe(false)
  })

  it('takes text/plain on the tracking API only: POST /events stays JSON-only, even from a listed origin', async () => {
    expect((await post('/events', [], { ...TEXT })).status).toBe(415)
    expect((await post('/events', [], { ...TEXT, origin: PAGE })).status).toBe(403)
  })
})
