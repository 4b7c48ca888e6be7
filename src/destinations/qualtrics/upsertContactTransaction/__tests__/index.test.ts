import { createTestEvent } from '@segment/actions-core'
import { formatTransactionDate } from '../transaction'
import {
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  MAILING_LIST,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const DIR = `/API/v3/directories/${DIRECTORY}`
const SEARCH = `${DIR}/contacts/search?pageSize=100`
const TRANSACTIONS = `${DIR}/transactions`

const transactionEvent = (overrides: Record<string, unknown> = {}) =>
  createTestEvent({
    type: 'track',
    event: 'Transaction Created',
    userId: 'user-1',
    messageId: 'msg-1',
    timestamp: '2024-03-01T10:15:30.000+02:00',
    properties: { orderId: 'o-1', total: 42.5, paid: true, items: [{ sku: 'a' }] },
    traits: undefined,
    context: { traits: { email: 'ada@example.com', phone: '+15550100', firstName: 'Ada' } },
    ...overrides
  })

const run = (event = transactionEvent(), mapping: Record<string, unknown> = {}) =>
  instance.testDestination.testAction('upsertContactTransaction', {
    event,
    settings,
    mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, ...mapping },
    useDefaultMappings: true
  })

const expectedTransaction = (contactId: string) => ({
  'msg-1': {
    mailingListId: MAILING_LIST,
    transactionDate: '2024-03-01 08:15:30',
    data: { orderId: 'o-1', total: 42.5, paid: true, items: '[{"sku":"a"}]', segmentMessageId: 'msg-1' },
    contactId
  }
})

const search = (filterType: string, value: string, ids: string[]) =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))

const created = (contactId: string) =>
  qualtrics()
    .post(TRANSACTIONS, expectedTransaction(contactId))
    .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))

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

  describe('bad input sends nothing', () => {
    it('an unparsable date', async () => {
      await expect(run(transactionEvent(), { transactionDate: 'next tuesday' })).rejects.toThrow(
        'Date & time of transaction must be a valid date-like string'
      )
    })

    it.each([
      '2024-13-45T99:00:00Z',
      'not a date',
      '',
      // Days that do not exist: Date would roll them over into March.
      '2024-02-30T10:00:00Z',
      '2024-02-31',
      '2023-02-29',
      '2024-04-31T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:00+24:00',
      // Too short to be epoch time, and not a date either.
      '2024',
      'Fri, 01 Mar 2024 10:00:00 GMT'
    ])('formatTransactionDate rejects %p', (value) => {
      expect(() => formatTransactionDate(value)).toThrow(/Date & time of transaction .*is (missing|not a date)/)
    })

    it('an existing-looking but impossible date is refused through the action, not sent as another day', async () => {
      await expect(run(transactionEvent(), { transactionDate: '2024-02-30T10:00:00Z' })).rejects.toThrow(
        'Date & time of transaction "2024-02-30T10:00:00Z" is not a date'
      )
    })

    it.each([
      ['2024-03-01T00:30:00-05:00', '2024-03-01 05:30:00'],
      ['2024-03-01T10:15:30.999+0530', '2024-03-01 04:45:30'],
      ['2024-02-29', '2024-02-29 00:00:00'],
      ['2024-03-01 10:00:00', '2024-03-01 10:00:00'],
      ['2024-03-01t10:00z', '2024-03-01 10:00:00'],
      ['1709287200', '2024-03-01 10:00:00'],
      ['1709287200000', '2024-03-01 10:00:00'],
      [1709287200000, '2024-03-01 10:00:00'],
      [1709287200, '2024-03-01 10:00:00']
    ])('formatTransactionDate reads %p as UTC %p', (value, expected) => {
      expect(formatTransactionDate(value)).toBe(expected)
    })

    it('a missing mailing list', async () => {
      await expect(run(transactionEvent(), { mailingListId: undefined })).rejects.toThrow(
        "missing the required field 'mailingListId'"
      )
    })

    it('a missing extRef (no userId and no anonymousId)', async () => {
      await expect(run(transactionEvent({ userId: null, anonymousId: null }))).rejects.toThrow(
        "missing the required field 'extRef'"
      )
    })

    it('a blank message id (mapped, but to nothing but spaces)', async () => {
      await expect(run(transactionEvent(), { messageId: '   ' })).rejects.toThrow(
        'Transaction key (Message ID) is missing'
      )
    })

    it('an invalid datacenter', async () => {
      await expect(
        instance.testDestination.testAction('upsertContactTransaction', {
          event: transactionEvent(),
          settings: { ...settings, datacenter: 'iad1:443' },
          mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST },
          useDefaultMappings: true
        })
      ).rejects.toThrow(/Datacenter ID/)
    })

    it('an oversized embedded-data value for a contact to create', async () => {
      await expect(run(transactionEvent(), { embeddedData: { note: 'v'.repeat(1025) } })).rejects.toThrow(
        /Qualtrics allows 1024/
      )
    })
  })

  describe('errors from Qualtrics', () => {
    describe.each([
      ['search', () => qualtrics().post(SEARCH)],
      ['transactions', () => qualtrics().post(TRANSACTIONS)]
    ])('on %s', (step, interceptor) => {
      it.each(ERROR_STATUSES)('$status', async ({ status, expected, retryable, text }) => {
        interceptor().reply(status, qualtricsError(status, 'bad thing'))
        const error = await run(transactionEvent(), step === 'transactions' ? { contactId: 'CID_1' } : {}).catch(
          (e) => e
        )
        expect(error).toMatchObject(expected)
        expect(error.message).toMatch(text)
        expect(isRetryableStatus(error.status)).toBe(retryable)
      })
    })

    it.each(ERROR_STATUSES)('on contact create: $status', async ({ status, expected, retryable }) => {
      search('extRef', 'user-1', [])
      search('email', 'ada@example.com', [])
      search('phone', '+15550100', [])
      qualtrics().post(`${DIR}/contacts`).reply(status, qualtricsError(status, 'bad thing'))
      const error = await run().catch((e) => e)
      expect(error).toMatchObject(expected)
      expect(isRetryableStatus(error.status)).toBe(retryable)
    })
  })
})
