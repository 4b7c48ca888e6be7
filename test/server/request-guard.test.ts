import nock from 'nock'
import { startLocalServer } from '../../src/server/local-server'
import { rawRequest } from './raw-http'

// Real HTTP on 127.0.0.1. Nothing is declared to nock: a request the guard let through to Qualtrics would fail the
// test (test/setup.ts allows only loopback).
const TOKEN = 'guard-SECRET-token-5501'
let server: Awaited<ReturnType<typeof startLocalServer>>
let port: number
let self: string
/** A port this server is not on. */
let other: string

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1')
  server = await startLocalServer({ settings: { apiToken: TOKEN, datacenter: 'iad1' } })
  port = Number(new URL(server.url).port)
  self = `127.0.0.1:${port}`
  other = String(port === 65535 ? 1 : port + 1)
})
afterAll(() => server.close())

const JSON_TYPE = { 'content-type': 'application/json' }
/** A POST the guard lets through gets the route's own answer: an empty batch is a 400 "No events". */
const emptyBatch = (headers: Record<string, string>) => rawRequest(port, 'POST', '/events', headers, '[]')
const index = (headers: Record<string, string>) => rawRequest(port, 'GET', '/', headers)

function expectRefused(response: { status: number; text: string; headers: Record<string, unknown> }, status: number) {
  expect(response.status).toBe(status)
  expect(response.headers['access-control-allow-origin']).toBeUndefined()
  expect(JSON.parse(response.text).error).toEqual(expect.any(String))
  expect(response.text).not.toContain(TOKEN)
}

describe('the Host header', () => {
  it.each([['127.0.0.1:PORT'], ['localhost:PORT'], ['LOCALHOST:PORT'], ['[::1]:PORT']])(
    '%s is answered',
    async (host) => {
      const response = await index({ host: host.replace('PORT', String(port)) })
      expect(response.status).toBe(200)
      expect(JSON.parse(response.text).routes).toContain('POST /events')
    }
  )

  it.each([
    ['another port', '127.0.0.1:OTHER'],
    ['no port', '127.0.0.1'],
    ['a rebound name', 'attacker.example:PORT'],
    ['a name that merely starts like localhost', 'localhost.attacker.example:PORT'],
    ['a trailing dot', 'localhost.:PORT'],
    ['another loopback address', '127.0.0.2:PORT'],
    ['userinfo', 'localhost:PORT@attacker.example']
  ])('%s (%s) is refused with 403', async (_, host) => {
    const value = host.replace('PORT', String(port)).replace('OTHER', other)
    const response = await index({ host: value })
    expectRefused(response, 403)
    expect(JSON.parse(response.text).error).toMatch(/is not this server.*http:\/\/127\.0\.0\.1:\d+/)
  })

  it('missing altogether is refused', async () => {
    // Node itself answers 400 to an HTTP/1.1 request without Host, before the server sees it.
    expect([400, 403]).toContain((await index({})).status)
  })

  it('is checked before anything else: a JSON POST with a foreign Host is refused too', async () => {
    expectRefused(await emptyBatch({ host: `attacker.example:${port}`, ...JSON_TYPE }), 403)
  })
})

describe('the Origin header', () => {
  it('may be absent (curl, scripts)', async () => {
    const response = await emptyBatch({ host: self, ...JSON_TYPE })
    expect(response.status).toBe(400)
    expect(JSON.parse(response.text).error).toMatch(/No events/)
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
  })

  it.each([
    'http://127.0.0.1:PORT',
    'http://localhost:PORT',
    'http://[::1]:PORT',
    'https://app.segment.com',
    'https://eu1.app.segment.com'
  ])('%s is allowed and named in Access-Control-Allow-Origin', async (template) => {
    const origin = template.replace('PORT', String(port))
    const response = await emptyBatch({ host: self, origin, ...JSON_TYPE })
    expect(response.status).toBe(400)
    expect(JSON.parse(response.text).error).toMatch(/No events/)
    expect(response.headers['access-control-allow-origin']).toBe(origin)
    expect(response.headers.vary).toMatch(/Origin/)
  })

  it.each([
    'http://127.0.0.1:OTHER',
    'https://127.0.0.1:PORT',
    'http://attacker.example',
    'null',
    'http://app.segment.com',
    'https://app.segment.com.attacker.example',
    'https://attacker.app.segment.com'
  ])('%s is refused with 403, GET or POST', async (template) => {
    const origin = template.replace('PORT', String(port)).replace('OTHER', other)
    expectRefused(await emptyBatch({ host: self, origin, ...JSON_TYPE }), 403)
    const get = await index({ host: self, origin })
    expectRefused(get, 403)
    expect(JSON.parse(get.text).error).toMatch(/https:\/\/app\.segment\.com/)
  })

  it("refuses a web page's simple text/plain POST that would authenticate with the server's token", async () => {
    const response = await rawRequest(
      port,
      'POST',
      '/authenticate',
      { host: self, origin: 'http://attacker.example', 'content-type': 'text/plain;charset=UTF-8' },
      JSON.stringify({ datacenter: 'iad1' })
    )
    expectRefused(response, 403)
  })
})

describe('the content type of a POST', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'])(
    '%s is accepted',
    async (type) => {
      const response = await emptyBatch({ host: self, 'content-type': type })
      expect(response.status).toBe(400)
      expect(JSON.parse(response.text).error).toMatch(/No events/)
    }
  )

  it.each([
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonp',
    'text/plain; application/json',
    ''
  ])('"%s" is refused with 415', async (type) => {
    const response = await emptyBatch(type === '' ? { host: self } : { host: self, 'content-type': type })
    expectRefused(response, 415)
    expect(JSON.parse(response.text).error).toMatch(/content-type: application\/json/)
  })

  it('is refused from an allowed origin with that origin named, so the page can read why', async () => {
    const origin = 'https://app.segment.com'
    const response = await emptyBatch({ host: self, origin, 'content-type': 'text/plain' })
    expect(response.status).toBe(415)
    expect(response.headers['access-control-allow-origin']).toBe(origin)
  })
})

describe('a CORS preflight', () => {
  const preflight = (origin: string, method: string, extra: Record<string, string> = {}) =>
    rawRequest(port, 'OPTIONS', '/upsertContact', {
      host: self,
      origin,
      'access-control-request-method': method,
      ...extra
    })

  it('from the Actions Tester is answered 204 with the methods and headers it may use', async () => {
    const response = await preflight('https://app.segment.com', 'POST', {
      'access-control-request-headers': 'Content-Type, X-Trace',
      'access-control-request-private-network': 'true'
    })
    expect(response.status).toBe(204)
    expect(response.text).toBe('')
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.segment.com',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type, x-trace',
      'access-control-allow-private-network': 'true'
    })
    expect(response.headers.vary).toMatch(/Origin/)
  })

  it('from the server itself is answered too', async () => {
    const origin = `http://localhost:${port}`
    const response = await preflight(origin, 'GET')
    expect(response.status).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe(origin)
    expect(response.headers['access-control-allow-private-network']).toBeUndefined()
  })

  it('from any other origin is refused with 403', async () => {
    expectRefused(await preflight('http://attacker.example', 'POST'), 403)
  })

  it('for a method the server does not take is refused with 405', async () => {
    const response = await preflight('https://eu1.app.segment.com', 'DELETE')
    expect(response.status).toBe(405)
    expect(JSON.parse(response.text).error).toMatch(/GET and POST/)
  })

  it('with a foreign Host is refused with 403', async () => {
    const response = await rawRequest(port, 'OPTIONS', '/', {
      host: `attacker.example:${port}`,
      origin: 'https://app.segment.com',
      'access-control-request-method': 'POST'
    })
    expectRefused(response, 403)
  })
})
