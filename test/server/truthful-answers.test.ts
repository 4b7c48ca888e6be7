import nock from 'nock'
import { startLocalServer } from '../../src/server/local-server'
import { MAX_NESTING, tooDeepAt } from '../../src/server/segment/input-checks'

// Input that can never succeed is a final 400 that says why, never a retryable 500 a sender would retry forever.
// Nothing here may reach Qualtrics except where a nock scope says so.
const TOKEN = 'truthful-SECRET-token-5150'
const API = 'https://iad1.qualtrics.com'
let server: Awaited<ReturnType<typeof startLocalServer>>

beforeAll(async () => {
  server = await startLocalServer({
    settings: { apiToken: TOKEN, datacenter: 'iad1' },
    mappingDefaults: { directoryId: 'POOL_t', mailingListId: 'CG_t' }
  })
})
afterAll(() => server.close())

async function post(path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  expect(text).not.toContain(TOKEN)
  return { status: response.status, body: JSON.parse(text) }
}

const identify = { type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } }
/** `{"x": {"x": … 1}}` nested `levels` objects deep, as JSON text (too deep for JSON.stringify's stack). */
const nestedText = (levels: number) => '{"x":'.repeat(levels) + '1' + '}'.repeat(levels)
const nested = (levels: number) => JSON.parse(nestedText(levels))

describe('a payload that is not an object', () => {
  it.each([
    ['a string', 'str', /"payload" is a string, not an object/],
    ['a number', 5, /"payload" is a number, not an object/],
    ['an array element', [identify, 7], /payload\[1\] is a number, not an object/]
  ])('POST /{action} with %s is a 400 with the reason', async (_, payload, reason) => {
    const { status, body } = await post('/upsertContact', { payload })
    expect(status).toBe(400)
    expect(body.error).toMatch(reason)
  })

  it('POST /events with an event that is not an object is a 400 naming it', async () => {
    const { status, body } = await post('/events', { batch: [identify, 'x'] })
    expect(status).toBe(400)
    expect(body.error).toMatch(/Event 1 is not a Segment event/)
  })
})

describe(`nesting past ${MAX_NESTING} levels`, () => {
  it('is measured without recursion, and a value exactly at the limit passes', () => {
    expect(tooDeepAt(nested(MAX_NESTING), 'v')).toBeUndefined()
    expect(tooDeepAt(nested(MAX_NESTING + 1), 'v')).toBe(`v${'.x'.repeat(MAX_NESTING)}`)
    expect(tooDeepAt([[{ 'a b': [] }]], 'v', 3)).toBe('v[0][0]["a b"]')
    expect(tooDeepAt(nested(200_000), 'v')).toBeDefined()
  })

  it('in a payload, a mapping or an event is a 400 that says where, before any mapping runs', async () => {
    const deepPayload = await post('/upsertContact', { payload: { ...identify, traits: { deep: nested(100) } } })
    expect(deepPayload.status).toBe(400)
    expect(deepPayload.body.error).toMatch(
      /^payload nests objects or arrays more than 64 levels deep \(at payload\.traits\.deep\.x\.x/
    )

    // A mapping this deep used to overflow mapping-kit's stack: a retryable 500.
    const deepMapping = await post(
      '/upsertContact',
      `{"payload": ${JSON.stringify(identify)}, "mapping": {"embeddedData": ${nestedText(5000)}}}`
    )
    expect(deepMapping.status).toBe(400)
    expect(deepMapping.body.error).toMatch(/^mapping nests .* \(at mapping\.embeddedData\.x/)

    const deepEvent = await post('/events', { batch: [identify, { ...identify, traits: nested(70) }] })
    expect(deepEvent.status).toBe(400)
    expect(deepEvent.body.error).toMatch(/^Event 1 nests .* \(at Event 1\.traits\.x/)
  })
})

describe('unknown mapping keys', () => {
  it('are a 400 naming the key and listing the action’s fields', async () => {
    const { status, body } = await post('/upsertContact', { payload: identify, mapping: { emial: 'x', extRef: 'y' } })
    expect(status).toBe(400)
    expect(body.error).toMatch(
      /"mapping" has a key "emial" that upsertContact has no field for\. Its fields: directoryId, extRef, email/
    )
  })
})

describe('POST /authenticate', () => {
  it('tests exactly the settings in the body: the configured token is not filled in', async () => {
    // No credential in the body: Test connection fails saying so (no request is made: nock would refuse it).
    const { status, body } = await post('/authenticate', { datacenter: 'fra1' })
    expect(status).toBe(200)
    expect(body.ok).toBe(false)
    expect(body.error).toMatch(/API Token is missing and no OAuth client is set/)

    nock(API, { reqheaders: { 'x-api-token': 'other-token' } })
      .get('/API/v3/whoami')
      .reply(200, { result: { userName: 'other' }, meta: { httpStatus: '200 - OK' } })
    // The datacenter starts from the field's default (iad1), as a new destination's settings do in Segment.
    expect((await post('/authenticate', { apiToken: 'other-token' })).body).toEqual({ ok: true })
  })

  it('with an empty body tests the configured settings and says which (never their values)', async () => {
    nock(API, { reqheaders: { 'x-api-token': TOKEN } })
      .get('/API/v3/whoami')
      .twice()
      .reply(200, { result: { userName: 'ada' }, meta: { httpStatus: '200 - OK' } })
    const settingsUsed = { source: 'configured', datacenter: 'iad1', credentials: ['apiToken'] }
    expect((await post('/authenticate', '')).body).toEqual({ ok: true, settingsUsed })
    expect((await post('/authenticate', {})).body).toEqual({ ok: true, settingsUsed })
  })
})

describe('date errors', () => {
  it('name the field, the value and the accepted forms', async () => {
    const purchase = { type: 'track', event: 'Transaction Created', userId: 'u1', messageId: 'm1', timestamp: '2024' }
    const { body } = await post('/upsertContactTransaction', { payload: purchase, mapping: { contactId: 'CID_1' } })
    expect(body.results[0]).toMatchObject({ status: 400, retryable: false })
    expect(body.results[0].errormessage).toMatch(
      /^Date & time of transaction "2024" is not a date: .* takes ISO 8601 \(.*\), epoch seconds .* or epoch milliseconds/
    )
  })
})
