import type { SegmentEvent } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, qualtricsError, settings } from './__helpers__/qualtrics'
import { CONTACTS, SEARCH, TRANSACTIONS } from './__helpers__/transactions'
import { batchesOn, entry, purchase, searchBy } from './__helpers__/batching'
import { instanceForEachTest } from './__helpers__/instance'

const instance = instanceForEachTest()
const { multistatus, statuses, transactionsBatch } = batchesOn(instance)

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
