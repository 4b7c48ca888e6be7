import nock from 'nock'
import {
  batchesOf,
  callQualtrics,
  QualtricsCallError,
  SEGMENT_BATCH_LIMIT_BYTES,
  segmentDelivery,
  segmentHost,
  signMessage
} from '../../../src/sources/qualtrics-responses'
import type { SegmentCall } from '../../../src/sources/qualtrics-responses'
import { serveResponses } from '../../../scripts/responses/serve'
import { systemClock } from '../../../src/server/tracking'
import { tempFolder, until } from '../../server/tracking/helpers'

const WRITE_KEY = 'segment-write-key-0123456789'
const BASIC = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`

function call(messageId: string, padding = 0): SegmentCall {
  const at = '2026-12-01T00:00:00.000Z'
  return {
    type: 'track',
    event: 'Survey Response Completed',
    userId: 'u',
    messageId,
    timestamp: at,
    receivedAt: at,
    sentAt: at,
    properties: { text: 'x'.repeat(padding) }
  }
}

describe('segmentHost', () => {
  it('knows the US and EU endpoints and takes https or a loopback http URL', () => {
    expect(segmentHost(undefined)).toBe('https://api.segment.io')
    expect(segmentHost('us')).toBe('https://api.segment.io')
    expect(segmentHost('eu')).toBe('https://events.eu1.segmentapis.com')
    expect(segmentHost('https://proxy.example.com/ignored')).toBe('https://proxy.example.com')
    expect(segmentHost('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000')
  })

  it('refuses plain http to another machine (the write key would cross the network in the clear)', () => {
    expect(() => segmentHost('http://example.com')).toThrow(/must be https/)
    expect(() => segmentHost('nonsense')).toThrow(/not "us", "eu" or a URL/)
  })
})

describe('segmentDelivery', () => {
  it('posts /v1/batch with the write key as Basic auth, without the queue’s receivedAt', async () => {
    const scope = nock('https://api.segment.io')
      .post('/v1/batch', (body) => body.batch.length === 2 && body.batch.every((c: object) => !('receivedAt' in c)))
      .matchHeader('authorization', BASIC)
      .reply(200, { success: true })
    const results = await segmentDelivery({ host: 'https://api.segment.io', writeKey: WRITE_KEY })([
      call('a'),
      call('b')
    ])
    expect(results).toEqual([
      { status: 200, retryable: false },
      { status: 200, retryable: false }
    ])
    scope.done()
  })

  it('sends to the EU endpoint when chosen', async () => {
    const scope = nock('https://events.eu1.segmentapis.com').post('/v1/batch').reply(200, {})
    await segmentDelivery({ host: segmentHost('eu'), writeKey: WRITE_KEY })([call('a')])
    scope.done()
  })

  it.each([
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false]
  ])('reports a %i as retryable: %s', async (status, retryable) => {
    nock('https://api.segment.io').post('/v1/batch').reply(status, {})
    const [result] = await segmentDelivery({ host: 'https://api.segment.io', writeKey: WRITE_KEY })([call('a')])
    expect(result).toEqual({ status, retryable, error: `Segment answered ${status}` })
  })

  it('reports a connection failure as retryable, and never names the write key', async () => {
    nock('https://api.segment.io').post('/v1/batch').replyWithError(`refused ${WRITE_KEY}`)
    const [result] = await segmentDelivery({ host: 'https://api.segment.io', writeKey: WRITE_KEY })([call('a')])
    expect(result).toEqual({ status: 503, retryable: true, error: 'could not reach Segment' })
  })

  it('never follows a redirect: the write key stays with the configured host, and the 3xx is final', async () => {
    nock('https://api.segment.io').post('/v1/batch').reply(307, {}, { location: 'https://collector.example/v1/batch' })
    // Nothing is declared for collector.example: following the redirect would be an undeclared request, which fails
    // the test.
    const [result] = await segmentDelivery({ host: 'https://api.segment.io', writeKey: WRITE_KEY })([call('a')])
    expect(result).toEqual({ status: 307, retryable: false, error: 'Segment answered 307' })
  })

  it("splits calls into batches within Segment's 500 KB", () => {
    const big = Array.from({ length: 40 }, (_, i) => call(`m${i}`, 30 * 1024))
    const batches = batchesOf(big)
    expect(batches.length).toBeGreaterThan(2)
    expect(batches.flat().map((c) => c.messageId)).toEqual(big.map((c) => c.messageId))
    for (const batch of batches) {
      expect(Buffer.byteLength(JSON.stringify({ batch, sentAt: big[0].sentAt }))).toBeLessThanOrEqual(
        SEGMENT_BATCH_LIMIT_BYTES
      )
    }
  })
})

describe('callQualtrics', () => {
  it('never follows a redirect: the API token stays with the Qualtrics host, and the 3xx is final', async () => {
    const token = 'qualtrics-token-redirect-0123'
    nock('https://iad1.qualtrics.com')
      .get('/API/v3/surveys/SV_abc123/responses/R_1')
      .reply(302, {}, { location: 'https://collector.example/steal' })
    // Nothing is declared for collector.example: following the redirect would be an undeclared request, which fails
    // the test.
    const call = callQualtrics(
      { origin: 'https://iad1.qualtrics.com', apiToken: token },
      'GET',
      '/surveys/SV_abc123/responses/R_1'
    )
    const error = await call.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QualtricsCallError)
    expect(error).toMatchObject({ status: 302, temporary: false })
    expect(String((error as Error).message)).not.toContain(token)
  })
})

// The receiver on its own (`npm run responses -- serve`) with its LevelDB queue: Qualtrics and Segment nocked.
describe('the served receiver: retries and restarts', () => {
  const KEY = 'shared-key-0123456789abcdef'
  const TOKEN = 'qualtrics-token-0123456789'
  const env = { QUALTRICS_SUBSCRIPTION_KEY: KEY, SEGMENT_WRITE_KEY: WRITE_KEY }
  const qualtrics = { origin: 'https://iad1.qualtrics.com', apiToken: TOKEN }
  const MSG = JSON.stringify({ SurveyID: 'SV_abc123', ResponseID: 'R_durable1' })
  let folder: ReturnType<typeof tempFolder>
  beforeEach(() => (folder = tempFolder()))
  afterEach(() => folder.remove())

  const qualtricsAnswers = () => {
    nock('https://iad1.qualtrics.com').get('/API/v3/survey-definitions/SV_abc123').reply(200, { result: {} })
    nock('https://iad1.qualtrics.com')
      .get('/API/v3/surveys/SV_abc123/responses/R_durable1')
      .reply(200, { result: { values: { externalDataReference: 'user-9' } } })
  }
  const post = (url: string) =>
    fetch(`${url}/qualtrics/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        Topic: 'b.surveyengine.completedResponse.SV_abc123',
        MSG,
        HMAC: signMessage(KEY, MSG)
      }).toString()
    })

  it('retries a 429 and a 503 with back-off, then delivers once', async () => {
    qualtricsAnswers()
    const segment = nock('https://api.segment.io')
      .post('/v1/batch')
      .reply(429, {})
      .post('/v1/batch')
      .reply(503, {})
      .post('/v1/batch')
      .reply(200, {})
    const logs: string[] = []
    const served = await serveResponses({
      env,
      qualtrics,
      queueFolder: folder.folder,
      retries: { firstDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 },
      log: (line) => logs.push(line)
    })
    try {
      expect((await post(served.url)).status).toBe(200)
      await until(async () => (await served.responses.recent())[0]?.status === 'delivered')
      const [record] = await served.responses.recent()
      expect(record).toMatchObject({ messageId: 'R_durable1', attempts: 3, lastStatus: 200 })
      segment.done()
      expect(logs.join('\n')).not.toMatch(new RegExp(`${KEY}|${WRITE_KEY}|${TOKEN}`))
    } finally {
      await served.close()
    }
  })

  it('keeps an accepted call across a restart and delivers it then', async () => {
    qualtricsAnswers()
    nock('https://api.segment.io').post('/v1/batch').reply(503, {})
    const first = await serveResponses({
      env,
      qualtrics,
      queueFolder: folder.folder,
      retries: { firstDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 5 }
    })
    expect((await post(first.url)).status).toBe(200)
    await until(async () => (await first.responses.recent())[0]?.status === 'retrying')
    await first.close()

    const delivered = nock('https://api.segment.io')
      .post('/v1/batch', (body) => body.batch[0].messageId === 'R_durable1')
      .reply(200, {})
    const second = await serveResponses({
      env,
      qualtrics,
      queueFolder: folder.folder,
      retries: { firstDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 },
      // The retry was due a minute on: a clock that has moved on, as it would have by the next start.
      clock: { now: () => Date.now() + 120_000, sleep: (ms, wake) => systemClock.sleep(Math.min(ms, 20), wake) }
    })
    try {
      expect(second.responses.summary.join('\n')).toContain('1 calls from an earlier run to deliver')
      await until(async () => (await second.responses.recent())[0]?.status === 'delivered')
      delivered.done()
    } finally {
      await second.close()
    }
  })

  it('answers GET /qualtrics/responses 200 with no work (Qualtrics: a subscription URL handles GET and POST)', async () => {
    const served = await serveResponses({ env, qualtrics, queueFolder: folder.folder })
    try {
      const probe = await fetch(`${served.url}/qualtrics/responses?check=1`)
      expect(probe.status).toBe(200)
      const body = (await probe.json()) as Record<string, unknown>
      expect(Object.keys(body)).toEqual(['ok'])
      expect(await served.responses.recent()).toEqual([])
      expect((await fetch(`${served.url}/qualtrics/responses`, { method: 'PUT' })).status).toBe(405)
    } finally {
      await served.close()
    }
  })

  it('answers only POST /qualtrics/responses, GET /qualtrics/responses and GET /health', async () => {
    const served = await serveResponses({ env, qualtrics, queueFolder: folder.folder })
    try {
      expect((await fetch(`${served.url}/health`)).status).toBe(200)
      expect((await fetch(`${served.url}/v1/batch`, { method: 'POST' })).status).toBe(404)
      const json = await fetch(`${served.url}/qualtrics/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}'
      })
      expect(json.status).toBe(415)
      const unsigned = await fetch(`${served.url}/qualtrics/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `Topic=x&MSG=${encodeURIComponent(MSG)}`
      })
      expect(unsigned.status).toBe(401)
      const tooBig = await fetch(`${served.url}/qualtrics/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'MSG='.padEnd(70 * 1024, 'x')
      })
      expect(tooBig.status).toBe(413)
    } finally {
      await served.close()
    }
  })
})
