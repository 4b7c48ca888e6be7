import { DIRECTORY, ok, qualtrics } from '../../__tests__/__helpers__/qualtrics'
import { DIR, SEARCH, TRANSACTIONS } from '../../__tests__/__helpers__/transactions'
import { created, search, transactionActionOn, transactionEvent } from '../../__tests__/__helpers__/transaction-event'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const run = transactionActionOn(instance)

describe('upsertContactTransaction', () => {
  it('with a contact id, adds the transaction directly (one request)', async () => {
    const scope = created('CID_given')
    await run(transactionEvent(), { contactId: 'CID_given' })
    expect(scope.isDone()).toBe(true)
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ transactionId: 'CTR_1', contact: 'given' })
  })

  it('records the message id in the transaction data unless turned off; it wins over a mapped key of that name', async () => {
    const withId = qualtrics()
      .post(TRANSACTIONS, (body) => body['msg-1'].data.segmentMessageId === 'msg-1')
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await run(transactionEvent({ properties: { segmentMessageId: 'spoofed' } }), { contactId: 'CID_given' })
    expect(withId.isDone()).toBe(true)

    const without = qualtrics()
      .post(TRANSACTIONS, (body) => !('segmentMessageId' in body['msg-1'].data) && body['msg-1'].data.orderId === 'o-1')
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_2' } } }))
    await run(transactionEvent(), { contactId: 'CID_given', recordMessageId: false })
    expect(without.isDone()).toBe(true)
  })

  it('without a Message ID (a mapping saved before the field), keys the transaction by position and records none', async () => {
    const scope = qualtrics()
      .post(TRANSACTIONS, (body) => {
        const entry = body['(no messageId) #0']
        return Object.keys(body).length === 1 && entry?.contactId === 'CID_given' && !('segmentMessageId' in entry.data)
      })
      .reply(200, ok({ createdTransactions: { '(no messageId) #0': { id: 'CTR_1' } } }))
    await run(transactionEvent({ messageId: undefined }), { contactId: 'CID_given' })
    expect(scope.isDone()).toBe(true)
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ transactionId: 'CTR_1' })
  })

  it('finds the contact by extRef first', async () => {
    const scope = search('extRef', 'user-1', ['CID_1'])
    created('CID_1')
    await run()
    expect(scope.isDone()).toBe(true)
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ contactId: 'CID_1', contact: 'extRef' })
  })

  it('falls back to email when extRef finds nothing (a contact whose extRef was never set)', async () => {
    search('extRef', 'user-1', [])
    search('email', 'ada@example.com', ['CID_2'])
    created('CID_2')
    await run()
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ contactId: 'CID_2', contact: 'email' })
  })

  it('creates the contact with its fields when no identifier matches', async () => {
    search('extRef', 'user-1', [])
    search('email', 'ada@example.com', [])
    search('phone', '+15550100', [])
    qualtrics()
      .post(`${DIR}/contacts`, { extRef: 'user-1', email: 'ada@example.com', phone: '+15550100', firstName: 'Ada' })
      .reply(200, ok({ id: 'CID_new' }))
    created('CID_new')
    await run()
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ contactId: 'CID_new', contact: 'created' })
  })

  it('shares one search-and-create between concurrent events for the same new person, then remembers the contact', async () => {
    // Each lookup is declared once: a second search or create would find no interceptor and fail its event.
    qualtrics()
      .post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .delay(30)
      .reply(200, ok({ elements: [] }))
    search('email', 'ada@example.com', [])
    search('phone', '+15550100', [])
    const create = qualtrics()
      .post(`${DIR}/contacts`)
      .reply(200, ok({ id: 'CID_new' }))
    const transactions = qualtrics()
      .post(TRANSACTIONS, (body) =>
        Object.values(body).every((t) => (t as { contactId: string }).contactId === 'CID_new')
      )
      .times(2)
      .reply(200, (_uri, body) => ok({ createdTransactions: { [Object.keys(body)[0]]: { id: 'CTR_x' } } }))
    const runs = await Promise.allSettled([run(), run(transactionEvent({ messageId: 'msg-2' }))])
    expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(create.isDone()).toBe(true)
    expect(transactions.isDone()).toBe(true)
    expect(instance.testDestination.results.map((r) => r.data)).toEqual(
      expect.arrayContaining([expect.objectContaining({ contactId: 'CID_new' })])
    )

    // The contact is remembered: the next event for the person asks Qualtrics nothing before its transaction.
    created('CID_new')
    await run()
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ contactId: 'CID_new', contact: 'cached' })
  })

  it('follows the chosen match order and skips identifiers left out', async () => {
    search('phone', '+15550100', [])
    search('email', 'ada@example.com', ['CID_3'])
    created('CID_3')
    await run(transactionEvent(), { matchContactBy: ['phone', 'email'] })
  })

  it('uses anonymousId as extRef when there is no userId', async () => {
    search('extRef', 'anon-7', ['CID_4'])
    created('CID_4')
    await run(transactionEvent({ userId: null, anonymousId: 'anon-7' }))
  })

  it('with "When several contacts match" set to fail, reports several matches as a final error, and adds nothing', async () => {
    // A whole page even so: another person's contact (a near match) on it must not count as a second match.
    search('extRef', 'user-1', ['CID_a', 'CID_b'])
    const error = await run(transactionEvent(), { multipleMatches: 'fail' }).catch((e) => e)
    expect(error.message).toBe(
      `Several contacts in directory ${DIRECTORY} have External Data Reference "user-1": give a Contact ID, or match by an identifier that is unique.`
    )
    expect(error.status).toBe(409)
  })

  it('by default uses the oldest of several matches (creation date, then id) and names the others', async () => {
    qualtrics()
      .post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .reply(
        200,
        ok({
          elements: [
            { id: 'CID_new', creationDate: '2024-05-01T00:00:00Z' },
            { id: 'CID_undated' },
            { id: 'CID_old_b', creationDate: '2023-01-01T00:00:00Z' },
            { id: 'CID_old_a', creationDate: '2023-01-01T00:00:00Z' }
          ]
        })
      )
    created('CID_old_a')
    await run()
    expect(instance.testDestination.results.at(-1)?.data).toEqual({
      transactionId: 'CTR_1',
      contactId: 'CID_old_a',
      contact: 'extRef',
      otherMatches: ['CID_old_b', 'CID_new', 'CID_undated'],
      otherMatchCount: 3
    })
  })

  it('reports a transaction Qualtrics left unprocessed, with its reason', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(
        200,
        ok({ createdTransactions: {}, unprocessedTransactions: { 'msg-1': { errorMessage: 'Invalid date' } } })
      )
    await expect(run(transactionEvent(), { contactId: 'CID_x' })).rejects.toThrow(
      'Qualtrics did not add the transaction: Invalid date'
    )
  })

  // Qualtrics accepted the request (2xx): a retry could store a copy, so these succeed with a note.
  it('reports a 200 that has neither created nor unprocessed transactions as a success with a note', async () => {
    qualtrics().post(TRANSACTIONS).reply(200, ok({}))
    await run(transactionEvent(), { contactId: 'CID_x' })
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({
      note: expect.stringContaining('has no createdTransactions or unprocessedTransactions (request id req-ok)')
    })
  })

  it('reports a created map that lacks this event key as a success with a note', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(200, ok({ createdTransactions: { other: { id: 'CTR_9' } } }))
    await run(transactionEvent(), { contactId: 'CID_x' })
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({
      note: expect.stringContaining('in neither createdTransactions nor unprocessedTransactions (request id req-ok)')
    })
  })
})
