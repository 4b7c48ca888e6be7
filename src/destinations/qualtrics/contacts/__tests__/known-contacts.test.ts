import {
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  isSearch,
  purchase,
  searchesMissing,
  TRANSACTIONS,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'

const instance = instanceForEachTest()
afterEach(() => expect(instance.state.identifierLocks.size).toBe(0))

/** A first batch that creates the person (extRef user-9, email grace@…) as CID_old, which the cache then holds. */
async function createPerson(): Promise<void> {
  searchesMissing([
    ['extRef', 'user-9'],
    ['email', 'grace@example.com']
  ])
  qualtrics()
    .post(CONTACTS)
    .reply(200, ok({ id: 'CID_old' }))
  acceptTransactions()
  const [node] = await transactionsBatch(instance.testDestination, [
    purchase(1, { email: 'grace@example.com' }, 'user-9')
  ])
  expect(node.body).toMatchObject({ contactId: 'CID_old', contact: 'created' })
}

const unprocessed = (key: string, errorMessage: string) =>
  ok({ createdTransactions: {}, unprocessedTransactions: { [key]: { error: 'INVALID_TRANSACTION', errorMessage } } })

describe('the contact cache', () => {
  it('a second batch for a person created in the first makes no search', async () => {
    await createPerson()
    const seen: string[][] = []
    acceptTransactions(1, seen)
    // No search is declared: one would fail the test.
    const nodes = await transactionsBatch(instance.testDestination, [
      purchase(2, { email: 'grace@example.com' }, 'user-9'),
      purchase(3, {}, 'user-9'),
      purchase(4, { email: 'GRACE@example.com' }, 'user-9')
    ])
    expect(nodes.map((n) => n.body?.contact)).toEqual(['cached', 'cached', 'cached'])
    expect(seen).toEqual([['CID_old', 'CID_old', 'CID_old']])
  })

  it('read-after-write lag: search has not caught up with a contact created a moment ago; it is not created again', async () => {
    // Every search answers nothing, however often it is asked.
    qualtrics()
      .persist()
      .post(isSearch)
      .reply(200, ok({ elements: [] }))
    const create = qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_new' }))
    const transactions = acceptTransactions(2)
    await transactionsBatch(instance.testDestination, [purchase(1, { email: 'grace@example.com' }, 'user-9')])
    const [node] = await transactionsBatch(instance.testDestination, [
      purchase(2, { email: 'grace@example.com' }, 'user-9')
    ])
    expect(node).toMatchObject({ status: 200, body: { contactId: 'CID_new' } })
    expect(create.isDone() && transactions.isDone()).toBe(true)
  })

  it('a contact written by upsertContact is used by a transaction for the same person without a search', async () => {
    qualtrics()
      .post(CONTACTS, { extRef: 'user-9', email: 'grace@example.com' })
      .reply(200, ok({ id: 'CID_written' }))
    await instance.testDestination.testAction('upsertContact', {
      event: { type: 'identify', userId: 'user-9', traits: { email: 'grace@example.com' } },
      settings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true
    })
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [
      purchase(1, { email: 'grace@example.com' }, 'user-9')
    ])
    expect(node.body).toMatchObject({ contactId: 'CID_written', contact: 'cached' })
  })
})

describe('a cached contact Qualtrics says does not exist', () => {
  it('is forgotten, looked up again, and its transaction sent again; the new contact is remembered', async () => {
    await createPerson()
    const stale = qualtrics()
      .post(TRANSACTIONS, (body) => body['msg-2']?.contactId === 'CID_old')
      .reply(200, unprocessed('msg-2', `Contact CID_old does not exist in directory ${DIRECTORY}.`))
    const lookups = searchesMissing([['extRef', 'user-9']])
    qualtrics()
      .post(isSearch, { filter: { filterType: 'email', comparison: 'eq', value: 'grace@example.com' } })
      .reply(200, ok({ elements: [{ id: 'CID_merged', extRef: 'user-9' }] }))
    const seen: string[][] = []
    acceptTransactions(2, seen)
    const [node] = await transactionsBatch(instance.testDestination, [
      purchase(2, { email: 'grace@example.com' }, 'user-9')
    ])
    expect(node).toMatchObject({ status: 200, body: { contactId: 'CID_merged', contact: 'email' } })
    expect(stale.isDone() && lookups[0].isDone()).toBe(true)
    // Remembered by the email it was found by: the next batch finds it without asking.
    const [next] = await transactionsBatch(instance.testDestination, [
      purchase(3, { email: 'grace@example.com' }, 'user-9')
    ])
    expect(next.body).toMatchObject({ contactId: 'CID_merged', contact: 'cached' })
    expect(seen).toEqual([['CID_merged'], ['CID_merged']])
  })

  it('is looked up again once only: a second rejection is the event’s final answer', async () => {
    await createPerson()
    const transactions = qualtrics()
      .post(TRANSACTIONS)
      .times(2)
      .reply(200, (_uri, body) => {
        const contactId = (body as Record<string, { contactId: string }>)['msg-2'].contactId
        return unprocessed('msg-2', `Contact ${contactId} does not exist.`)
      })
    qualtrics()
      .post(isSearch, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-9' } })
      .reply(200, ok({ elements: [{ id: 'CID_other' }] }))
    const [node] = await transactionsBatch(instance.testDestination, [
      purchase(2, { email: 'grace@example.com' }, 'user-9')
    ])
    expect(node.status).toBe(400)
    expect(node.errormessage).toBe(
      'Qualtrics did not add the transaction: Contact CID_other does not exist. (request id req-ok)'
    )
    expect(transactions.isDone()).toBe(true)
  })

  it('a rejection that does not name the contact is not a missing contact: nothing is looked up again', async () => {
    await createPerson()
    qualtrics().post(TRANSACTIONS).reply(200, unprocessed('msg-2', 'Mailing list is archived'))
    const [node] = await transactionsBatch(instance.testDestination, [purchase(2, {}, 'user-9')])
    expect(node).toMatchObject({
      status: 400,
      errormessage: 'Qualtrics did not add the transaction: Mailing list is archived (request id req-ok)'
    })
  })

  it('a 404 for a request holding a cached contact sends the whole request again once, the cached contact looked up again', async () => {
    await createPerson()
    const notFound = qualtrics()
      .post(TRANSACTIONS, (body) => Object.keys(body).length === 2 && body['msg-2'].contactId === 'CID_old')
      .reply(404, qualtricsError(404, 'Contact not found'))
    searchesMissing([['extRef', 'user-9']])
    qualtrics()
      .post(isSearch, { filter: { filterType: 'email', comparison: 'eq', value: 'grace@example.com' } })
      .reply(200, ok({ elements: [{ id: 'CID_new' }] }))
    const seen: string[][] = []
    acceptTransactions(1, seen)
    const nodes = await transactionsBatch(
      instance.testDestination,
      [purchase(2, { email: 'grace@example.com' }, 'user-9'), purchase(3, { given: 'CID_given' }, 'user-3')],
      { contactId: { '@path': '$.context.traits.given' } }
    )
    expect(nodes.map((n) => n.status)).toEqual([200, 200])
    expect(nodes.map((n) => n.body?.contactId)).toEqual(['CID_new', 'CID_given'])
    expect(seen).toEqual([['CID_new', 'CID_given']])
    expect(notFound.isDone()).toBe(true)
  })

  describe.each(ERROR_STATUSES)('a $status', ({ status, expected, retryable }) => {
    // A batch backs off and tries a 429 three more times before giving up.
    const attempts = status === 429 ? 4 : 1

    it('on the second lookup fails the event with that status', async () => {
      await createPerson()
      const stale = qualtrics().post(TRANSACTIONS).reply(200, unprocessed('msg-2', 'Contact CID_old does not exist.'))
      qualtrics().post(isSearch).times(attempts).reply(status, qualtricsError(status, 'bad thing'))
      const [node] = await transactionsBatch(instance.testDestination, [purchase(2, {}, 'user-9')])
      expect(node.status).toBe(expected.status)
      expect(isRetryableStatus(node.status)).toBe(retryable)
      expect(stale.isDone()).toBe(true)
    }, 15_000)

    it('on the second transactions request fails the event with that status', async () => {
      await createPerson()
      qualtrics().post(TRANSACTIONS).reply(200, unprocessed('msg-2', 'Contact CID_old does not exist.'))
      qualtrics()
        .post(isSearch)
        .reply(200, ok({ elements: [{ id: 'CID_2' }] }))
      qualtrics().post(TRANSACTIONS).times(attempts).reply(status, qualtricsError(status, 'bad thing'))
      const [node] = await transactionsBatch(instance.testDestination, [purchase(2, {}, 'user-9')])
      expect(node.status).toBe(expected.status)
      expect(isRetryableStatus(node.status)).toBe(retryable)
    }, 15_000)
  })
})
