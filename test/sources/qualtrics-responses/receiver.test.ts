import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import {
  handleResponsesRoute,
  ResponseReceiver,
  RESPONSES_ROUTE,
  signMessage
} from '../../../src/sources/qualtrics-responses'
import type { CallQueue, SegmentCall } from '../../../src/sources/qualtrics-responses'

const ORIGIN = 'https://iad1.qualtrics.com'
const TOKEN = 'qualtrics-token-0123456789'
const KEY = 'shared-key-0123456789abcdef'
const SURVEY = 'SV_abc123'
const RESPONSE = 'R_xyz789'
const TOPIC = `brand.surveyengine.completedResponse.${SURVEY}`
const MSG = JSON.stringify({ Status: 'Complete', SurveyID: SURVEY, ResponseID: RESPONSE, BrandID: 'brand' })

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const signed = (msg = MSG, topic = TOPIC) => form({ Topic: topic, MSG: msg, HMAC: signMessage(KEY, msg) })

function setup(queue?: CallQueue) {
  const queued: SegmentCall[] = []
  const logs: string[] = []
  const receiver = new ResponseReceiver({
    sharedKey: KEY,
    qualtrics: { origin: ORIGIN, apiToken: TOKEN },
    mapping: { eventName: 'Survey Response Completed', anonymousIdField: 'anonymousId', traitAnswers: [] },
    queue: queue ?? {
      enqueue: async (calls) => {
        const fresh = calls.filter((c) => !queued.some((q) => q.messageId === c.messageId))
        queued.push(...fresh)
        return { accepted: fresh.length, duplicates: calls.length - fresh.length }
      }
    },
    log: (line) => logs.push(line)
  })
  return { receiver, queued, logs }
}

const definition = () =>
  nock(ORIGIN)
    .get(`/API/v3/survey-definitions/${SURVEY}`)
    .matchHeader('x-api-token', TOKEN)
    .reply(200, { result: { SurveyName: 'NPS', Questions: { QID1: { DataExportTag: 'nps' } } } })
const responseCall = () =>
  nock(ORIGIN).get(`/API/v3/surveys/${SURVEY}/responses/${RESPONSE}`).matchHeader('x-api-token', TOKEN)

describe('ResponseReceiver', () => {
  it('queues a track for a signed callback, with the definition read once for two callbacks', async () => {
    const { receiver, queued, logs } = setup()
    definition()
    responseCall()
      .twice()
      .reply(200, { result: { responseId: RESPONSE, values: { externalDataReference: 'user-1', QID1: 10 } } })
    expect(await receiver.receive(signed())).toEqual({
      status: 200,
      body: { ok: true, outcome: 'queued', responseId: RESPONSE }
    })
    expect(queued).toEqual([
      expect.objectContaining({
        type: 'track',
        userId: 'user-1',
        messageId: RESPONSE,
        properties: expect.objectContaining({ answers: { nps: 10 } })
      })
    ])
    // A redelivery: fetched again, but the queue already has it.
    expect((await receiver.receive(signed())).body.outcome).toBe('duplicate')
    expect(queued).toHaveLength(1)
    expect(receiver.outcomes.list().map((o) => o.outcome)).toEqual(['duplicate', 'queued'])
    expect(logs[0]).toBe(`Qualtrics callback ${SURVEY}/${RESPONSE}: queued → 200`)
  })

  it.each([
    ['no HMAC', form({ Topic: TOPIC, MSG }), /no HMAC field/],
    ['a wrong HMAC', form({ Topic: TOPIC, MSG, HMAC: signMessage('other-key-00000000', MSG) }), /does not match/],
    ['a short HMAC', form({ Topic: TOPIC, MSG, HMAC: 'abcd' }), /not 128 hex digits/],
    ['a non-hex HMAC', form({ Topic: TOPIC, MSG, HMAC: 'g'.repeat(128) }), /not hexadecimal/],
    ['an empty body', '', /no HMAC field/]
  ])('answers 401 to a callback with %s and makes no call', async (_, body, reason) => {
    const { receiver, queued, logs } = setup()
    const answer = await receiver.receive(body)
    expect(answer.status).toBe(401)
    expect(answer.body).toMatchObject({ ok: false, outcome: 'bad-signature', reason: expect.stringMatching(reason) })
    expect(queued).toEqual([])
    expect(logs[0]).toMatch(/bad-signature → 401/)
  })

  it.each([
    ['an unknown topic', signed(MSG, 'brand.controlpanel.activateSurvey'), 'unknown-topic'],
    ['a malformed MSG', signed('{not json'), 'malformed-msg'],
    ['a MSG without ResponseID', signed(JSON.stringify({ SurveyID: SURVEY })), 'malformed-msg']
  ])('answers 400 to a signed callback with %s and fetches nothing', async (_, body, outcome) => {
    const { receiver, queued } = setup()
    const answer = await receiver.receive(body)
    expect(answer).toMatchObject({ status: 400, body: { ok: false, outcome } })
    expect(queued).toEqual([])
  })

  it.each([
    [404, 200, 'response-gone', /Qualtrics answered 404 \(Nope\)$/],
    [403, 200, 'response-forbidden', /the API token cannot read this survey's responses/],
    // A refused token (invalid, revoked, the wrong datacenter) is fixed by its owner: then a retry works.
    [401, 503, 'temporary-failure', /Qualtrics refused the API token/],
    [400, 200, 'response-unreadable', /Qualtrics refused the request for this response as malformed/],
    [409, 200, 'response-unreadable', /Qualtrics refused the request for this response$/],
    [429, 503, 'temporary-failure', /Qualtrics answered 429 \(Nope\)$/],
    [500, 503, 'temporary-failure', /Qualtrics answered 500 \(Nope\)$/],
    [503, 503, 'temporary-failure', /Qualtrics answered 503 \(Nope\)$/]
  ])(
    'a response fetch answered %i is a %i (%s), with nothing queued',
    async (qualtricsStatus, status, outcome, why) => {
      const { receiver, queued, logs } = setup()
      definition()
      responseCall().reply(qualtricsStatus, { meta: { error: { errorMessage: 'Nope' } } })
      const answer = await receiver.receive(signed())
      expect(answer).toMatchObject({ status, body: { ok: false, outcome, responseId: RESPONSE } })
      expect(answer.body.reason).toContain(`Qualtrics answered ${qualtricsStatus} (Nope)`)
      expect(answer.body.reason).toMatch(why)
      if (qualtricsStatus !== 403) expect(answer.body.reason).not.toMatch(/token cannot read/)
      expect(queued).toEqual([])
      expect(logs.join('\n')).not.toContain(TOKEN)
    }
  )

  it.each([301, 302, 307])('a response fetch redirected (%i) is a 503 that names the redirect', async (code) => {
    const { receiver, queued } = setup()
    definition()
    responseCall().reply(code, '', { location: 'https://elsewhere.example.com/API/v3/x' })
    const answer = await receiver.receive(signed())
    expect(answer).toMatchObject({ status: 503, body: { ok: false, outcome: 'temporary-failure' } })
    expect(answer.body.reason).toMatch(new RegExp(`Qualtrics answered ${code}: a redirect, not followed`))
    expect(answer.body.reason).not.toMatch(/token cannot read/)
    expect(queued).toEqual([])
  })

  describe('a Qualtrics error that echoes the token', () => {
    // Qualtrics' errorMessage is cut to 200 characters: the token must go before the cut, not half of it after.
    const padding = 'x'.repeat(190)
    const echoes = [`token ${TOKEN} lacks permission`, `${padding} ${TOKEN}`]

    it.each(echoes.map((message) => [message.length, message]))(
      'never reaches the answer, the outcomes or the log (message of %i characters)',
      async (_, errorMessage) => {
        const { receiver, logs } = setup()
        definition()
        responseCall().reply(403, { meta: { error: { errorMessage } } })
        const answer = await receiver.receive(signed())
        // The cut may shorten the marker, never reveal the token.
        expect(answer.body.reason).toContain('[redacted')
        const seen = [JSON.stringify(answer), JSON.stringify(receiver.outcomes.list()), ...logs].join('\n')
        expect(seen).not.toContain(TOKEN.slice(0, 10))
      }
    )

    it('never reaches the HTTP caller of POST /qualtrics/responses', async () => {
      const { receiver } = setup()
      definition()
      responseCall().reply(403, { meta: { error: { errorMessage: echoes[0] } } })
      const server = createServer((req, res) => void handleResponsesRoute(receiver, req, res))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = server.address() as AddressInfo
        const answer = await fetch(`http://127.0.0.1:${port}${RESPONSES_ROUTE}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: signed()
        })
        const text = await answer.text()
        expect(answer.status).toBe(200)
        expect(JSON.parse(text)).toMatchObject({
          outcome: 'response-forbidden',
          reason: expect.stringContaining('[redacted]')
        })
        expect(text).not.toContain(TOKEN)
      } finally {
        await new Promise((resolve) => server.close(resolve))
      }
    })

    it('nor does the shared key, whatever error carries it', async () => {
      const { receiver } = setup({ enqueue: () => Promise.reject(new Error(`cannot store under ${KEY}`)) })
      definition()
      responseCall().reply(200, { result: { values: { externalDataReference: 'u' } } })
      const answer = await receiver.receive(signed())
      expect(answer.body.reason).toBe('queue: cannot store under [redacted]')
      expect(JSON.stringify(receiver.outcomes.list())).not.toContain(KEY)
    })
  })

  it('a response with no identity is answered 200 with the reason, and nothing is queued', async () => {
    const { receiver, queued } = setup()
    definition()
    responseCall().reply(200, { result: { responseId: RESPONSE, values: { QID1: 3 } } })
    const answer = await receiver.receive(signed())
    expect(answer).toMatchObject({ status: 200, body: { ok: false, outcome: 'no-identity' } })
    expect(answer.body.reason).toMatch(/has no identity/)
    expect(queued).toEqual([])
  })

  it('keeps question ids when the definition cannot be read (403)', async () => {
    const { receiver, queued } = setup()
    nock(ORIGIN).get(`/API/v3/survey-definitions/${SURVEY}`).reply(403, {})
    responseCall().reply(200, { result: { values: { externalDataReference: 'u', QID1: 1 } } })
    expect((await receiver.receive(signed())).status).toBe(200)
    expect(queued[0].properties).toMatchObject({ answers: { QID1: 1 } })
  })

  it('a definition answered 500 is a 503: the export tags may be readable on the next try', async () => {
    const { receiver, queued } = setup()
    nock(ORIGIN).get(`/API/v3/survey-definitions/${SURVEY}`).reply(500, {})
    responseCall().reply(200, { result: { values: { externalDataReference: 'u', QID1: 1 } } })
    expect((await receiver.receive(signed())).status).toBe(503)
    expect(queued).toEqual([])
  })

  it('a queue that cannot store the calls is a 503, so Qualtrics may try again', async () => {
    const { receiver } = setup({
      enqueue: () => Promise.reject(new Error('disk full'))
    })
    definition()
    responseCall().reply(200, { result: { values: { externalDataReference: 'u' } } })
    expect(await receiver.receive(signed())).toMatchObject({
      status: 503,
      body: { outcome: 'temporary-failure', reason: 'queue: disk full' }
    })
  })

  it('a Qualtrics that cannot be reached is a 503', async () => {
    const { receiver } = setup()
    definition()
    responseCall().replyWithError('socket hang up')
    expect((await receiver.receive(signed())).status).toBe(503)
  })
})
