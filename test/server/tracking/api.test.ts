import { gzipSync } from 'node:zlib'

const gzip = (value: unknown) => new Uint8Array(gzipSync(JSON.stringify(value)))
import { createTrackingApi, QueueFull, TRACKING_LIMITS } from '../../../src/server/tracking'
import type { TrackingEvent } from '../../../src/server/tracking'
import { basicAuth, serve } from './helpers'

const WRITE_KEY = 'wk-local-123'
const NOW = new Date('2024-05-01T12:00:00.000Z')
const queued: Array<{ event: TrackingEvent; source: string }> = []
const logs: string[] = []
let full = false
const queue = {
  async enqueue(events: TrackingEvent[], sourceOf: (event: TrackingEvent) => string) {
    if (full) throw new QueueFull('100 events are waiting for delivery, the most this queue holds.')
    events.forEach((event) => queued.push({ event, source: sourceOf(event) }))
    return { accepted: events.length, duplicates: 0, repeats: [] }
  }
}
let open: Awaited<ReturnType<typeof serve>>
let locked: Awaited<ReturnType<typeof serve>>

beforeAll(async () => {
  const log = (line: string) => logs.push(line)
  open = await serve(createTrackingApi({ queue, now: () => NOW }), log)
  locked = await serve(createTrackingApi({ queue, writeKey: WRITE_KEY, now: () => NOW }), log)
})
afterAll(async () => {
  await open.close()
  await locked.close()
})
beforeEach(() => {
  queued.splice(0)
  logs.splice(0)
  full = false
})

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body:
      typeof body === 'string' || body instanceof Uint8Array
        ? (body as string | Uint8Array<ArrayBuffer>)
        : JSON.stringify(body)
  })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

const identify = { userId: 'u1', traits: { email: 'a@example.com' } }

describe('Tracking API routes', () => {
  it.each([
    ['/v1/identify', 'identify', identify],
    ['/v1/track', 'track', { userId: 'u1', event: 'Signed Up' }],
    ['/v1/page', 'page', { anonymousId: 'a1', name: 'Home' }],
    ['/v1/screen', 'screen', { anonymousId: 'a1', name: 'Settings' }],
    ['/v1/group', 'group', { userId: 'u1', groupId: 'g1' }],
    ['/v1/alias', 'alias', { userId: 'u1', previousId: 'a1' }]
  ])('%s accepts a %s call and sets its type from the route', async (path, type, call) => {
    const answer = await post(open.url, path, { ...call, type: 'track' })
    expect(answer).toMatchObject({ status: 200, body: { success: true } })
    expect(queued).toHaveLength(1)
    expect(queued[0].event).toMatchObject({ ...call, type })
  })

  it('fills in messageId, receivedAt, sentAt and timestamp, and drops the write key', async () => {
    await post(open.url, '/v1/identify', { ...identify, writeKey: 'whatever' })
    const { event } = queued[0]
    expect(event.messageId).toMatch(/^[0-9a-f-]{36}$/)
    expect(event).toMatchObject({ receivedAt: NOW.toISOString(), sentAt: NOW.toISOString() })
    expect(event.timestamp).toBe(NOW.toISOString())
    expect(event).not.toHaveProperty('writeKey')
  })

  it('keeps a timestamp the sender gave, and corrects originalTimestamp for clock skew with sentAt', async () => {
    await post(open.url, '/v1/track', { userId: 'u1', event: 'A', timestamp: '2024-04-30T00:00:00Z', messageId: 'm1' })
    // The sender's clock is 10 s ahead: sent at 12:00:10 by its clock, the call made 5 s before sending.
    await post(open.url, '/v1/track', {
      userId: 'u1',
      event: 'B',
      originalTimestamp: '2024-05-01T12:00:05.000Z',
      sentAt: '2024-05-01T12:00:10.000Z'
    })
    expect(queued.map((q) => [q.event.messageId === 'm1', q.event.timestamp])).toEqual([
      [true, '2024-04-30T00:00:00Z'],
      [false, '2024-05-01T11:59:55.000Z']
    ])
  })

  it('accepts a batch, merging the batch context under each call and taking the batch sentAt', async () => {
    const answer = await post(open.url, '/v1/batch', {
      batch: [
        { type: 'identify', ...identify, messageId: 'b1', context: { ip: '10.0.0.1' } },
        { type: 'track', userId: 'u1', event: 'Signed Up', messageId: 'b2' },
        { type: 'alias', userId: 'u1', previousId: 'a1', messageId: 'b3' }
      ],
      context: { library: { name: 'curl-test', version: '1' }, ip: '127.0.0.1' },
      sentAt: '2024-05-01T11:59:59.000Z'
    })
    expect(answer).toMatchObject({ status: 200, body: { success: true } })
    expect(queued.map((q) => [q.event.messageId, q.event.type, q.event.context, q.event.sentAt])).toEqual([
      ['b1', 'identify', { library: { name: 'curl-test', version: '1' }, ip: '10.0.0.1' }, '2024-05-01T11:59:59.000Z'],
      ['b2', 'track', { library: { name: 'curl-test', version: '1' }, ip: '127.0.0.1' }, '2024-05-01T11:59:59.000Z'],
      ['b3', 'alias', { library: { name: 'curl-test', version: '1' }, ip: '127.0.0.1' }, '2024-05-01T11:59:59.000Z']
    ])
    expect(queued[0].source).toBe('POST /v1/batch from curl-test 1')
  })

  it('reads a gzip body', async () => {
    const body = gzip({ batch: [{ type: 'identify', ...identify }] })
    const answer = await post(open.url, '/v1/batch', body, { 'content-encoding': 'gzip' })
    expect(answer.status).toBe(200)
    expect(queued).toHaveLength(1)
  })

  it.each([
    ['/v1/track', '{"userId": "u1",', /not valid JSON/],
    ['/v1/track', [1, 2], /The track call is not a JSON object/],
    ['/v1/identify', { traits: {} }, /identify call needs a "userId" or an "anonymousId"/],
    ['/v1/track', { userId: 'u1' }, /track call needs an "event" name/],
    ['/v1/group', { userId: 'u1' }, /needs a "groupId"/],
    ['/v1/alias', { userId: 'u1' }, /needs a "previousId"/],
    [
      '/v1/track',
      { userId: 'u1', event: 'A', timestamp: 'yesterday' },
      /"timestamp" "yesterday" is not a date: send ISO 8601 \(.*\) or epoch milliseconds/
    ],
    ['/v1/batch', { batch: { type: 'identify' } }, /"batch" must be an array/],
    ['/v1/batch', { batch: [] }, /"batch" is empty/],
    ['/v1/batch', { batch: [{ ...identify }] }, /batch\[0\] \(no type\) needs a "type"/],
    [
      '/v1/batch',
      {
        batch: [
          { type: 'identify', ...identify },
          { type: 'track', userId: 'u1', messageId: 'x9' }
        ]
      },
      /batch\[1\] \(track, messageId x9\): a track call needs an "event" name/
    ]
  ])('%s answers 400 with the reason and queues nothing (%j)', async (path, body, reason) => {
    const answer = await post(open.url, path, body)
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({ success: false, error: expect.stringMatching(reason) })
    expect(queued).toHaveLength(0)
  })

  it('refuses a call over 32 KB and a batch request over 500 KB', async () => {
    const filler = (bytes: number) => 'x'.repeat(bytes)
    const bigCall = await post(open.url, '/v1/track', { userId: 'u1', event: 'A', properties: { s: filler(33_000) } })
    expect(bigCall.status).toBe(400)
    expect(bigCall.body.error).toMatch(/Segment accepts at most 32768 per call/)
    const bigEventInBatch = await post(open.url, '/v1/batch', {
      batch: [{ type: 'track', userId: 'u1', event: 'A', properties: { s: filler(33_000) } }]
    })
    expect(bigEventInBatch.body.error).toMatch(/batch\[0\].*at most 32768 per call/)
    const calls = Array.from({ length: 20 }, () => ({ type: 'track', userId: 'u1', event: 'A', p: filler(30_000) }))
    const bigBatch = await post(open.url, '/v1/batch', { batch: calls })
    expect(bigBatch).toMatchObject({ status: 400, body: { error: expect.stringMatching(/over 512000 bytes/) } })
    const zipped = gzip({ batch: calls })
    const bigZipped = await post(open.url, '/v1/batch', zipped, { 'content-encoding': 'gzip' })
    expect(bigZipped).toMatchObject({ status: 400, body: { error: expect.stringMatching(/unzips to over/) } })
    const tooMany = await post(open.url, '/v1/batch', {
      batch: Array.from({ length: TRACKING_LIMITS.batchEvents + 1 }, () => ({ type: 'page', userId: 'u' }))
    })
    expect(tooMany.body.error).toMatch(/at most 2500/)
    expect(queued).toHaveLength(0)
  })

  it('answers 405 to other methods and leaves other paths to the server', async () => {
    const get = await fetch(`${open.url}/v1/batch`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await fetch(`${open.url}/v1/unknown`, { method: 'POST' })).status).toBe(404)
  })

  it('answers 429 with Retry-After when the queue is full', async () => {
    full = true
    const answer = await post(open.url, '/v1/track', { userId: 'u1', event: 'A' })
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('10')
  })
})

describe('Tracking API write key', () => {
  it('accepts any key, or none, when no write key is configured', async () => {
    expect((await post(open.url, '/v1/identify', identify)).status).toBe(200)
    expect((await post(open.url, '/v1/identify', identify, { authorization: basicAuth('anything') })).status).toBe(200)
  })

  it('accepts the configured key as Basic auth username or as writeKey in the body', async () => {
    expect((await post(locked.url, '/v1/identify', identify, { authorization: basicAuth(WRITE_KEY) })).status).toBe(200)
    expect((await post(locked.url, '/v1/identify', { ...identify, writeKey: WRITE_KEY })).status).toBe(200)
    const batch = { batch: [{ type: 'identify', ...identify }], writeKey: WRITE_KEY }
    expect((await post(locked.url, '/v1/batch', batch)).status).toBe(200)
    expect(queued).toHaveLength(3)
  })

  it('answers 401 without the key or with a wrong one, and never echoes a key', async () => {
    const none = await post(locked.url, '/v1/identify', identify)
    const wrong = await post(locked.url, '/v1/identify', identify, { authorization: basicAuth('wk-wrong') })
    const wrongInBody = await post(locked.url, '/v1/batch', { batch: [], writeKey: 'wk-wrong' })
    for (const answer of [none, wrong, wrongInBody]) {
      expect(answer.status).toBe(401)
      expect(answer.body.error).toMatch(/write key/)
    }
    // Unauthorised requests learn nothing about their body, even when it is broken.
    expect((await post(locked.url, '/v1/track', '{oops')).status).toBe(401)
    expect(queued).toHaveLength(0)
    expect(JSON.stringify(logs)).not.toMatch(/wk-wrong|wk-local/)
  })
})
