import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseSeed } from '../../src/sandbox'
import type { Sandbox } from '../../src/sandbox'
import { api, call, createContact, DIR, OTHER_TOKEN, start, state, testSeed, control } from './helpers'

const SURVEY = 'SV_test0000001'
const KEY = 'sandbox-shared-key-01234567'
const surveys = [
  {
    surveyId: SURVEY,
    name: 'Test survey',
    questions: [
      { questionId: 'QID1', exportTag: 'score', type: 'number' as const },
      { questionId: 'QID2', exportTag: 'why', type: 'text' as const }
    ]
  }
]

let sandbox: Sandbox
let subscriber: Server
let subscriberUrl: string
let received: Array<Record<string, string>>
let answerWith = 200

beforeEach(async () => {
  sandbox = await start({ seed: testSeed({ surveys }) })
  received = []
  answerWith = 200
  subscriber = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      received.push({
        contentType: String(req.headers['content-type']),
        ...Object.fromEntries(new URLSearchParams(text))
      })
      res.writeHead(answerWith).end()
    })
  })
  await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve))
  subscriberUrl = `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/hook`
})
afterEach(async () => {
  await sandbox.close()
  await new Promise((resolve) => subscriber.close(resolve))
})

const subscribe = (body: Record<string, unknown> = {}, token?: string) =>
  call(
    sandbox,
    'POST',
    api('/eventsubscriptions'),
    {
      topics: `surveyengine.completedResponse.${SURVEY}`,
      publicationUrl: subscriberUrl,
      encrypt: false,
      sharedKey: KEY,
      ...body
    },
    token ? { 'x-api-token': token } : undefined
  )
const complete = (body: Record<string, unknown>) =>
  call(sandbox, 'POST', `/__sandbox/surveys/${SURVEY}/responses`, body, control(sandbox))

describe('event subscriptions', () => {
  it('creates, gets, lists and deletes a subscription, never showing its shared key', async () => {
    const created = await subscribe()
    expect(created.status).toBe(200)
    const id = created.body.result.id
    expect(id).toMatch(/^SUB_/)
    const one = await call(sandbox, 'GET', api(`/eventsubscriptions/${id}`))
    expect(one.body.result).toMatchObject({ id, publicationUrl: subscriberUrl, encrypt: false })
    expect(JSON.stringify(one.body)).not.toContain(KEY)
    const list = await call(sandbox, 'GET', api('/eventsubscriptions/'))
    expect(list.body.result.elements.map((s: { id: string }) => s.id)).toEqual([id])
    expect(JSON.stringify(await state(sandbox))).not.toContain(KEY)
    // Another brand's token sees none of it.
    expect(
      (await call(sandbox, 'GET', api(`/eventsubscriptions/${id}`), undefined, { 'x-api-token': OTHER_TOKEN })).status
    ).toBe(404)
    expect((await call(sandbox, 'DELETE', api(`/eventsubscriptions/${id}`))).status).toBe(200)
    expect((await call(sandbox, 'GET', api(`/eventsubscriptions/${id}`))).status).toBe(404)
  })

  it.each([
    [{ topics: 'surveyengine.somethingElse' }, /is not a topic/],
    [{ publicationUrl: 'ftp://x' }, /publicationUrl must be an http/],
    [{ publicationUrl: 'http://' }, /publicationUrl "http:\/\/" is not a URL/],
    [{ publicationUrl: 'https://exa mple.com/hook' }, /is not a URL/],
    [{ publicationUrl: 42 }, /publicationUrl must be an http/],
    [{ encrypt: true }, /encrypt: true is not modelled/],
    [{ sharedKey: '' }, /sharedKey must be a non-empty string/]
  ])('refuses %j with a 400', async (body, message) => {
    const answer = await subscribe(body)
    expect(answer.status).toBe(400)
    expect(answer.body.meta.error.errorMessage).toMatch(message)
  })

  it('keeps no subscription from a refused URL, so a later completion answers 200', async () => {
    const refused = await subscribe({ publicationUrl: 'http://' })
    const contactId = (await createContact(sandbox, { extRef: 'user-8', email: 'bo@example.com' })).body.result.id
    const done = await complete({ directoryId: DIR, contactId, answers: { score: 3 } })
    expect(done.status).toBe(200)
    expect(done.body.callbacks).toEqual([])
    expect(refused.status).toBe(400)
    expect(sandbox.store.eventSubscriptions.all()).toEqual([])
  })

  it('needs a valid token', async () => {
    expect((await subscribe({}, 'not-a-token')).status).toBe(401)
  })
})

describe('completing a response', () => {
  it('stores the response for the contact and posts a signed, form-encoded callback', async () => {
    await subscribe()
    const contactId = (await createContact(sandbox, { extRef: 'user-7', email: 'ada@example.com', firstName: 'Ada' }))
      .body.result.id
    const done = await complete({
      directoryId: DIR,
      contactId,
      answers: { score: 10, why: 'Fast' },
      embeddedData: { orderId: 'o-1' }
    })
    expect(done.status).toBe(200)
    const { responseId } = done.body
    expect(responseId).toMatch(/^R_/)
    expect(done.body.callbacks).toEqual([expect.objectContaining({ attempt: 1, status: 200, responseId })])

    expect(received).toHaveLength(1)
    const [callback] = received
    expect(callback.contentType).toBe('application/x-www-form-urlencoded')
    expect(callback.Topic).toBe(`brand-a.surveyengine.completedResponse.${SURVEY}`)
    expect(JSON.parse(callback.MSG)).toMatchObject({
      Status: 'Complete',
      SurveyID: SURVEY,
      ResponseID: responseId,
      BrandID: 'brand-a'
    })
    expect(callback.HMAC).toBe(createHmac('sha512', KEY).update(callback.MSG).digest('hex'))

    const fetched = await call(sandbox, 'GET', api(`/surveys/${SURVEY}/responses/${responseId}`))
    expect(fetched.status).toBe(200)
    expect(fetched.body.result).toMatchObject({
      responseId,
      values: {
        externalDataReference: 'user-7',
        recipientEmail: 'ada@example.com',
        recipientFirstName: 'Ada',
        QID1: 10,
        QID2_TEXT: 'Fast',
        orderId: 'o-1',
        finished: 1
      },
      labels: { QID1: '10' }
    })
    const definition = await call(sandbox, 'GET', api(`/survey-definitions/${SURVEY}`))
    expect(definition.body.result).toMatchObject({
      SurveyName: 'Test survey',
      Questions: { QID1: { DataExportTag: 'score' }, QID2: { DataExportTag: 'why' } }
    })
  })

  it('sends redeliveries after the delay, recording each copy and what the subscriber answered', async () => {
    await subscribe()
    answerWith = 500
    const done = await complete({ answers: { score: 3 }, redeliveries: 2, redeliveryDelayMs: 5 })
    expect(done.body.callbacks).toEqual([expect.objectContaining({ attempt: 1, status: 500 })])
    // The copies follow in the background: wait for them however long a busy machine takes (the test's timeout is
    // the only limit).
    while (received.length < 3) await new Promise((r) => setTimeout(r, 10))
    expect(received).toHaveLength(3)
    expect(new Set(received.map((r) => r.MSG)).size).toBe(1)
    const deliveries = (await state(sandbox)).callbackDeliveries
    expect(deliveries.map((d: { attempt: number }) => d.attempt)).toEqual([1, 2, 3])
  })

  it('calls only loopback URLs', async () => {
    await subscribe({ publicationUrl: 'https://receiver.example.com/qualtrics/responses' })
    const done = await complete({ answers: { score: 1 } })
    expect(done.body.callbacks).toEqual([
      expect.objectContaining({ error: 'not sent: the sandbox calls 127.0.0.1 only' })
    ])
  })

  it('answers 404 for an unknown or deleted response, and for an unknown survey', async () => {
    const { responseId } = (await complete({ answers: { score: 1 } })).body
    expect(
      (
        await call(
          sandbox,
          'DELETE',
          `/__sandbox/surveys/${SURVEY}/responses/${responseId}`,
          undefined,
          control(sandbox)
        )
      ).status
    ).toBe(200)
    expect((await call(sandbox, 'GET', api(`/surveys/${SURVEY}/responses/${responseId}`))).status).toBe(404)
    expect((await call(sandbox, 'GET', api(`/surveys/${SURVEY}/responses/R_unknown`))).status).toBe(404)
    expect((await call(sandbox, 'GET', api('/survey-definitions/SV_unknown'))).status).toBe(404)
    expect((await complete({ answers: { nope: 1 } })).status).toBe(400)
    expect((await complete({ directoryId: DIR, extRef: 'nobody', answers: {} })).status).toBe(400)
  })
})

describe('surveys in the seed', () => {
  it('keeps valid surveys and names the entry that is wrong', () => {
    expect(parseSeed(testSeed({ surveys })).surveys).toEqual(surveys)
    expect(() => parseSeed(testSeed({ surveys: [{ surveyId: 'nope' }] }))).toThrow(
      'Sandbox seed: surveys[0] must be an object with a surveyId "SV_…"'
    )
    expect(() => parseSeed(testSeed({ surveys: [{ surveyId: SURVEY, questions: [{ questionId: 'Q1' }] }] }))).toThrow(
      'surveys[0].questions[0] must be an object with a questionId "QID<n>"'
    )
  })
})
