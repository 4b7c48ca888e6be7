import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { failed, mapWithConcurrency, settle, toMultiStatus } from '../batching'
import { withAnswer } from '../client'
import {
  API_TOKEN,
  DIRECTORY,
  isRetryableStatus,
  MAILING_LIST,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from './__helpers__/qualtrics'
import { instanceForEachTest } from './__helpers__/instance'

const instance = instanceForEachTest()
const DIR = `/API/v3/directories/${DIRECTORY}`
const SEARCH = `${DIR}/contacts/search?pageSize=100`
const TRANSACTIONS = `${DIR}/transactions`
const CONTACTS = `${DIR}/contacts`

type Node = { status: number; errormessage?: string; body?: Record<string, unknown>; sent?: unknown }
const multistatus = () => (instance.testDestination.results[0] as unknown as { multistatus: Node[] }).multistatus
const statuses = () => multistatus().map((n) => n.status)

const purchase = (n: number, overrides: Partial<SegmentEvent> = {}): Partial<SegmentEvent> => ({
  type: 'track',
  event: 'Transaction Created',
  userId: `user-${n}`,
  messageId: `msg-${n}`,
  timestamp: '2024-03-01T10:00:00.000Z',
  properties: { orderId: `o-${n}` },
  traits: undefined,
  context: {},
  ...overrides
})

const transactionsBatch = (events: Partial<SegmentEvent>[], mapping: Record<string, unknown> = {}) =>
  instance.testDestination.testBatchAction('upsertContactTransaction', {
    events: events as SegmentEvent[],
    settings,
    mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, ...mapping },
    useDefaultMappings: true
  })

const searchBy = (value: string, ids: string[], filterType = 'extRef') =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))

const entry = (contactId: string, n: number) => ({
  contactId,
  mailingListId: MAILING_LIST,
  transactionDate: '2024-03-01 10:00:00',
  data: { orderId: `o-${n}`, segmentMessageId: `msg-${n}` }
})

describe('upsertContactTransaction batch', () => {
  it('resolves each identity once and sends one transactions request; each event gets its own status', async () => {
    const found = searchBy('user-1', ['CID_1'])
    searchBy('user-2', [])
    const create = qualtrics()
      .post(CONTACTS, { extRef: 'user-2' })
      .reply(200, ok({ id: 'CID_2' }))
    searchBy('user-3', ['CID_b', 'CID_a'])
    searchBy('USER-1', ['CID_U1'])
    const transactions = qualtrics()
      .post(TRANSACTIONS, {
        'msg-0': entry('CID_given', 0),
        'msg-1': entry('CID_1', 1),
        'msg-2': entry('CID_2', 2),
        'msg-3': entry('CID_a', 3),
        'msg-5': entry('CID_U1', 5),
        'msg-6': entry('CID_1', 6)
      })
      .reply(
        200,
        ok({
          createdTransactions: {
            'msg-0': { id: 'CTR_0' },
            'msg-1': { id: 'CTR_1' },
            'msg-2': { id: 'CTR_2' },
            'msg-3': { id: 'CTR_3' },
            'msg-5': { id: 'CTR_5' }
          },
          unprocessedTransactions: { 'msg-6': { error: 'INVALID', errorMessage: 'Mailing list is archived' } }
        })
      )

    await transactionsBatch(
      [
        purchase(0, { properties: { orderId: 'o-0', qualtricsContactId: 'CID_given' } }), // contact id given
        purchase(1), // found by extRef
        purchase(2), // created
        purchase(3), // several matches: the oldest (no dates here: the lowest id)
        purchase(4, { timestamp: 'not a date' }), // fails the field schema: never reaches performBatch
        purchase(5, { userId: 'USER-1' }), // another person than event 1: an extRef is an ID, compared exactly
        purchase(6, { userId: 'user-1' }), // Qualtrics leaves it unprocessed
        purchase(7, { userId: null, anonymousId: null }) // no extRef at all: fails the field schema
      ],
      {
        contactId: { '@path': '$.properties.qualtricsContactId' },
        transactionData: { orderId: { '@path': '$.properties.orderId' } }
      }
    )

    expect(statuses()).toEqual([200, 200, 200, 200, 400, 200, 400, 400])
    expect(found.isDone() && create.isDone() && transactions.isDone()).toBe(true)
    const nodes = multistatus()
    expect(nodes[1].body).toMatchObject({ transactionId: 'CTR_1', contactId: 'CID_1', contact: 'extRef' })
    expect(nodes[2].body).toMatchObject({ transactionId: 'CTR_2', contactId: 'CID_2', contact: 'created' })
    expect(nodes[3].body).toMatchObject({ contactId: 'CID_a', contact: 'extRef', otherMatches: ['CID_b'] })
    expect(nodes[5].body).toMatchObject({ contactId: 'CID_U1', contact: 'extRef' })
    expect(nodes[4].errormessage).toMatch(/Date & time of transaction/)
    expect(nodes[6].errormessage).toBe(
      'Qualtrics did not add the transaction: Mailing list is archived (request id req-ok)'
    )
    expect(nodes[7].errormessage).toMatch(/extRef/)
  })

  it('sends a resent event (same messageId) once and reports it for both', async () => {
    const transactions = qualtrics()
      .post(TRANSACTIONS, { 'msg-1': entry('CID_9', 1) })
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await transactionsBatch([purchase(1), purchase(1)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 200])
    expect(transactions.isDone()).toBe(true)
  })

  it('a 429 on one chunk, after backing off, fails only that chunk, as retryable', async () => {
    const limited = qualtrics()
      .post(TRANSACTIONS, { 'msg-1': entry('CID_9', 1), 'msg-2': entry('CID_9', 2) })
      .times(4) // the first try and three retries
      .reply(429, qualtricsError(429, 'Too many requests'))
    const accepted = qualtrics()
      .post(TRANSACTIONS, { 'msg-3': entry('CID_9', 3), 'msg-4': entry('CID_9', 4) })
      .reply(200, ok({ createdTransactions: { 'msg-3': { id: 'CTR_3' }, 'msg-4': { id: 'CTR_4' } } }))
    await transactionsBatch([purchase(1), purchase(2), purchase(3), purchase(4)], { contactId: 'CID_9', batch_size: 2 })
    expect(statuses()).toEqual([429, 429, 200, 200])
    expect(multistatus()[0].errormessage).toMatch(/rate limited by Qualtrics \(429\)/)
    expect(limited.isDone() && accepted.isDone()).toBe(true)
  }, 15_000)

  it('recovers when a 429 clears while backing off', async () => {
    qualtrics().post(TRANSACTIONS).reply(429, qualtricsError(429, 'Slow down'), { 'retry-after': '0' })
    qualtrics()
      .post(TRANSACTIONS)
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await transactionsBatch([purchase(1)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200])
  })

  it('a 500 on one lookup fails that contact’s events only, as retryable', async () => {
    qualtrics()
      .post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .reply(500, qualtricsError(500, 'Internal error'))
    searchBy('user-2', ['CID_2'])
    const transactions = qualtrics()
      .post(TRANSACTIONS, { 'msg-2': entry('CID_2', 2), 'msg-4': entry('CID_2', 4) })
      .reply(200, ok({ createdTransactions: { 'msg-2': { id: 'CTR_2' }, 'msg-4': { id: 'CTR_4' } } }))
    await transactionsBatch([
      purchase(1),
      purchase(2),
      purchase(3, { userId: 'user-1' }),
      purchase(4, { userId: 'user-2' })
    ])
    expect(statuses()).toEqual([500, 200, 500, 200])
    expect(multistatus()[0].errormessage).toMatch(/search the directory by extRef: Qualtrics is unavailable \(500\)/)
    expect(transactions.isDone()).toBe(true)
  })

  it('a failed transactions request keeps its status for every event in it', async () => {
    qualtrics().post(TRANSACTIONS).reply(400, qualtricsError(400, 'Malformed'))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([400, 400])
    expect(multistatus()[1].errormessage).toMatch(/400 Bad Request.*Malformed/)
  })

  it('with directory deduplication on extRef, creates instead of searching (one request per contact)', async () => {
    const directories = qualtrics()
      .get('/API/v3/directories')
      .reply(
        200,
        ok({
          elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { externalDataReference: true, email: false } }],
          nextPage: null
        })
      )
    const creates = qualtrics()
      .post(CONTACTS, (body) => ['user-1', 'user-2'].includes(body.extRef))
      .times(2)
      .reply(200, (_uri, body) => ok({ id: `CID_${(body as { extRef: string }).extRef}` }))
    const transactions = qualtrics()
      .post(TRANSACTIONS, {
        'msg-1': entry('CID_user-1', 1),
        'msg-2': entry('CID_user-2', 2),
        'msg-3': entry('CID_user-1', 3)
      })
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'T1' }, 'msg-2': { id: 'T2' }, 'msg-3': { id: 'T3' } } }))
    await transactionsBatch([purchase(1), purchase(2), purchase(3, { userId: 'user-1' })], {
      contactLookup: 'deduplication'
    })
    expect(statuses()).toEqual([200, 200, 200])
    expect(multistatus()[0].body).toMatchObject({ contact: 'deduplication' })
    expect(directories.isDone() && creates.isDone() && transactions.isDone()).toBe(true)
  })

  it('with directory deduplication on a field the event lacks, searches instead', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(
        200,
        ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { email: true } }], nextPage: null })
      )
    const search = searchBy('user-1', ['CID_1'])
    qualtrics()
      .post(TRANSACTIONS, { 'msg-1': entry('CID_1', 1) })
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'T1' } } }))
    await transactionsBatch([purchase(1)], { contactLookup: 'deduplication' })
    expect(statuses()).toEqual([200])
    expect(search.isDone()).toBe(true)
  })

  it('bad settings fail every event with the reason and send nothing', async () => {
    await instance.testDestination.testBatchAction('upsertContactTransaction', {
      events: [purchase(1), purchase(2)] as SegmentEvent[],
      settings: { ...settings, datacenter: 'x.evil.com' },
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST },
      useDefaultMappings: true
    })
    expect(statuses()).toEqual([400, 400])
    expect(multistatus()[0].errormessage).toMatch(/Datacenter ID "x.evil.com" is not valid/)
  })

  it('splits a large batch into chunks of batch_size', async () => {
    const chunks: number[] = []
    qualtrics()
      .post(TRANSACTIONS)
      .times(3)
      .reply(200, (_uri, body) => {
        const keys = Object.keys(body as object)
        chunks.push(keys.length)
        return ok({ createdTransactions: Object.fromEntries(keys.map((k) => [k, { id: `T-${k}` }])) })
      })
    await transactionsBatch(
      Array.from({ length: 25 }, (_, i) => purchase(i)),
      { contactId: 'CID_9', batch_size: 10 }
    )
    expect(chunks.sort((a, b) => a - b)).toEqual([5, 10, 10])
    expect(statuses().every((s) => s === 200)).toBe(true)
  })
})

describe('upsertContact batch', () => {
  const identify = (userId: string | null, traits: JSONObject): Partial<SegmentEvent> => ({
    type: 'identify',
    userId,
    traits
  })
  const contactsBatch = (events: Partial<SegmentEvent>[]) =>
    instance.testDestination.testBatchAction('upsertContact', {
      events: events as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY, embeddedData: { plan: { '@path': '$.traits.plan' } } },
      useDefaultMappings: true
    })

  it('merges back-to-back identical identities (the later value wins) and fails a contact without an identifier alone', async () => {
    const merged = qualtrics()
      .post(CONTACTS, {
        extRef: 'u1',
        email: 'A@x.co',
        firstName: 'Ada',
        lastName: 'King',
        embeddedData: { plan: 'pro' }
      })
      .reply(200, ok({ id: 'CID_u1' }))
    const other = qualtrics()
      .post(CONTACTS, { extRef: 'u2', email: 'b@x.co' })
      .reply(200, ok({ id: 'CID_u2' }))
    await contactsBatch([
      identify('u1', { email: 'a@x.co', firstName: 'Ada', lastName: 'Byron', plan: 'free' }),
      identify('u1', { email: 'A@x.co', lastName: 'King', plan: 'pro' }),
      identify('u2', { email: 'b@x.co' }),
      identify(null, { firstName: 'Nobody' })
    ])
    expect(statuses()).toEqual([200, 200, 200, 400])
    expect(merged.isDone() && other.isDone()).toBe(true)
    expect(multistatus()[0].body).toEqual({ contactId: 'CID_u1', directoryId: DIRECTORY })
    expect(multistatus()[3].errormessage).toMatch(/no identifier/)
  })

  it('reports each contact’s failure with its own status', async () => {
    qualtrics().post(CONTACTS, { extRef: 'u1' }).reply(503, qualtricsError(503, 'Down'))
    qualtrics().post(CONTACTS, { extRef: 'u2' }).reply(403, qualtricsError(403, 'No permission'))
    qualtrics()
      .post(CONTACTS, { extRef: 'u3' })
      .reply(200, ok({ id: 'CID_3' }))
    await contactsBatch([identify('u1', {}), identify('u2', {}), identify('u3', {})])
    expect(statuses()).toEqual([503, 403, 200])
  })
})

describe('triggerXflow batch', () => {
  const HOST = 'https://iad1.qualtrics.com'
  const PATH = '/inbound-event/v1/events/json/triggers?urlTokenId=abc'

  it('runs one workflow per event; a foreign URL and a 503 fail alone', async () => {
    const runs = nock(HOST, { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(PATH, (body) => body.n === 1 || body.n === 3)
      .times(2)
      .reply(202, {})
    nock(HOST).post(PATH, { n: 4 }).reply(503, qualtricsError(503, 'Unavailable'))
    await instance.testDestination.testBatchAction('triggerXflow', {
      events: [1, 2, 3, 4].map((n) => ({
        type: 'track',
        event: 'Survey Completed',
        properties: n === 2 ? { n, bad: true } : { n }
      })) as SegmentEvent[],
      settings,
      mapping: {
        workflowUrl: {
          '@if': {
            exists: { '@path': '$.properties.bad' },
            then: 'https://evil.example.com/hook',
            else: `${HOST}${PATH}`
          }
        },
        eventPayload: { n: { '@path': '$.properties.n' } }
      }
    })
    expect(statuses()).toEqual([200, 400, 200, 503])
    expect(multistatus()[1].errormessage).toMatch(/not a Qualtrics JSON Event URL/)
    expect(runs.isDone()).toBe(true)
  })

  it('rejects a foreign workflow URL per event without sending it', async () => {
    await instance.testDestination.testBatchAction('triggerXflow', {
      events: [{ type: 'track', event: 'x' }] as SegmentEvent[],
      settings,
      mapping: { workflowUrl: 'https://evil.example.com/hook' }
    })
    expect(statuses()).toEqual([400])
    expect(multistatus()[0].errormessage).toMatch(/not a Qualtrics JSON Event URL/)
  })
})

describe("batch error entries carry what was sent and Qualtrics' answer", () => {
  const nodeOf = (index: number) => multistatus()[index] as Node & { errorreporter?: string }

  it('an unprocessed transaction: sent and body, so Segment attributes it to the destination', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(
        200,
        ok({
          createdTransactions: { 'msg-1': { id: 'CTR_1' } },
          unprocessedTransactions: { 'msg-2': { error: 'INVALID', errorMessage: `Archived list (${API_TOKEN})` } }
        })
      )
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 400])
    const refused = nodeOf(1)
    expect(refused.sent).toEqual({ 'msg-2': entry('CID_9', 2) })
    expect(refused.body).toEqual({
      unprocessedTransactions: { 'msg-2': { error: 'INVALID', errorMessage: 'Archived list ([redacted])' } },
      requestId: 'req-ok'
    })
    expect(refused.errorreporter).toBe('DESTINATION')
    expect(JSON.stringify(multistatus())).not.toContain(API_TOKEN)
  })

  it('a refused request: its answer (token redacted) is the body of every event in it', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(400, qualtricsError(400, `token ${API_TOKEN} cannot do that`))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([400, 400])
    for (const index of [0, 1]) {
      expect(nodeOf(index).body).toEqual(qualtricsError(400, 'token [redacted] cannot do that'))
      expect(nodeOf(index).errorreporter).toBe('DESTINATION')
    }
    expect(JSON.stringify(multistatus())).not.toContain(API_TOKEN)
  })

  it('an error raised before anything is sent has neither, and stays with the integration', async () => {
    // "2024" passes actions-core's date check but not the action's: refused in performBatch, before sending.
    await transactionsBatch([purchase(1, { timestamp: '2024' })], { contactId: 'CID_9' })
    expect(statuses()).toEqual([400])
    expect(nodeOf(0)).not.toHaveProperty('sent')
    expect(nodeOf(0)).not.toHaveProperty('body')
    expect(nodeOf(0).errormessage).toMatch(/Date & time of transaction "2024" is not a date/)
    expect(nodeOf(0).errorreporter).toBe('INTEGRATIONS')
  })
})

describe('a 2xx in a batch is never reported retryable', () => {
  it('a transaction missing from both maps succeeds with a note naming the request id', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 200])
    expect(multistatus()[1].body).toEqual({
      contactId: 'CID_9',
      contact: 'given',
      note: 'Qualtrics accepted the request to add the transaction, but its answer reports "msg-2" in neither createdTransactions nor unprocessedTransactions (request id req-ok)'
    })
  })

  it('an answer without either map: every transaction in it succeeds with a note', async () => {
    qualtrics().post(TRANSACTIONS).reply(200, ok({}))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 200])
    for (const node of multistatus()) {
      expect(node.body?.note).toMatch(/has no createdTransactions or unprocessedTransactions \(request id req-ok\)/)
    }
  })

  it('a created contact without an id, or a search without a list: final (422), with the answer as body', async () => {
    searchBy('user-1', [])
    qualtrics().post(CONTACTS, { extRef: 'user-1' }).reply(200, ok({}))
    qualtrics()
      .post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-2' } })
      .reply(200, ok({ elements: null }))
    await transactionsBatch([purchase(1), purchase(2)])
    expect(statuses()).toEqual([422, 422])
    expect(multistatus()[0].errormessage).toBe(
      'Qualtrics answered the request to create the contact without a contact id (request id req-ok)'
    )
    expect(multistatus()[1].body).toEqual(ok({ elements: null }))
  })

  it('upsertContact: a 2xx without a contact id is not retryable either', async () => {
    qualtrics().post(CONTACTS, { extRef: 'u1' }).reply(200, ok({}))
    await instance.testDestination.testBatchAction('upsertContact', {
      events: [{ type: 'identify', userId: 'u1', traits: {} }] as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true
    })
    expect(isRetryableStatus(statuses()[0])).toBe(false)
  })
})

describe('toMultiStatus and settle', () => {
  const refusal = () =>
    withAnswer(new IntegrationError('Qualtrics refused', 'NOT_FOUND', 404), { meta: { requestId: 'r1' } })

  it('fills sent and body for an error entry; failed(error) alone still works', () => {
    const [withSent, alone] = toMultiStatus([failed(refusal(), { extRef: 'u1' }), failed(refusal())]).getAllResponses()
    expect(withSent.value()).toMatchObject({ status: 404, sent: { extRef: 'u1' }, body: { meta: { requestId: 'r1' } } })
    expect(alone.value()).toEqual({
      status: 404,
      errortype: 'NOT_FOUND',
      errormessage: 'Qualtrics refused',
      body: { meta: { requestId: 'r1' } }
    })
  })

  it('settle keeps what was sent only for an error from a request Qualtrics was sent', async () => {
    const fromQualtrics = await settle(() => Promise.reject(refusal()), { extRef: 'u1' })
    const beforeSending = await settle(() => Promise.reject(new PayloadValidationError('bad')), { extRef: 'u1' })
    expect(fromQualtrics).toMatchObject({ ok: false, sent: { extRef: 'u1' } })
    expect(beforeSending).not.toHaveProperty('sent')
  })
})

describe('mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let inFlight = 0
    let most = 0
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, n))
      inFlight--
      return n * 10
    })
    expect(results).toEqual([50, 10, 40, 20, 30])
    expect(most).toBe(2)
  })
})
