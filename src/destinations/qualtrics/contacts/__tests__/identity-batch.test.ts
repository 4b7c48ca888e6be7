import { DIRECTORY, ok, qualtrics } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  isSearch,
  purchase,
  searchesMissing,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'
import type { StatusNode } from '../../__tests__/__helpers__/transactions'

const contactIds = (nodes: StatusNode[]) => nodes.map((n) => n.body?.contactId)

const instance = instanceForEachTest()
afterEach(() => expect(instance.state.identifierLocks.size).toBe(0))

describe('one person, several identifier sets, one batch', () => {
  it('events with and without an email or phone for one extRef make one search sequence and one create', async () => {
    const searches = searchesMissing([
      ['extRef', 'user-1'],
      ['email', 'ada@example.com'],
      ['phone', '+15550100']
    ])
    const create = qualtrics()
      // Fields merged in batch order: the later spelling of the email wins, as sending the events singly would leave.
      .post(CONTACTS, { extRef: 'user-1', email: 'ADA@example.com', phone: '+15550100' })
      .reply(200, ok({ id: 'CID_ada' }))
    const seen: string[][] = []
    const transactions = acceptTransactions(1, seen)
    const nodes = await transactionsBatch(instance.testDestination, [
      purchase(1, { email: 'ada@example.com' }),
      purchase(2, {}),
      purchase(3, { phone: '+15550100' }),
      purchase(4, { email: 'ADA@example.com ' })
    ])
    expect(nodes.map((n) => n.status)).toEqual([200, 200, 200, 200])
    expect(contactIds(nodes)).toEqual(['CID_ada', 'CID_ada', 'CID_ada', 'CID_ada'])
    expect(nodes.map((n) => n.body?.contact)).toEqual(['created', 'created', 'created', 'created'])
    expect(searches.every((s) => s.isDone()) && create.isDone() && transactions.isDone()).toBe(true)
    expect(seen).toEqual([['CID_ada', 'CID_ada', 'CID_ada', 'CID_ada']])
  })

  it('extRefs differing only in case are two people: two lookups, two contacts', async () => {
    searchesMissing([
      ['extRef', 'abc'],
      ['extRef', 'ABC']
    ])
    const creates = ['abc', 'ABC'].map((extRef) =>
      qualtrics()
        .post(CONTACTS, { extRef })
        .reply(200, ok({ id: `CID_${extRef}` }))
    )
    acceptTransactions()
    const nodes = await transactionsBatch(instance.testDestination, [purchase(1, {}, 'abc'), purchase(2, {}, 'ABC')])
    expect(contactIds(nodes)).toEqual(['CID_abc', 'CID_ABC'])
    expect(creates.every((c) => c.isDone())).toBe(true)
  })

  it('two extRefs sharing an email stay two people; the second does not reuse the first’s contact', async () => {
    // The anonymous visitor and the signed-in user are resolved one after the other (they share an email).
    searchesMissing([
      ['extRef', 'anon-1'],
      ['email', 'ada@example.com'],
      ['extRef', 'user-1'],
      ['email', 'ada@example.com']
    ])
    qualtrics()
      .post(CONTACTS, { extRef: 'anon-1', email: 'ada@example.com' })
      .reply(200, ok({ id: 'CID_anon' }))
    qualtrics()
      .post(CONTACTS, { extRef: 'user-1', email: 'ada@example.com' })
      .reply(200, ok({ id: 'CID_user' }))
    acceptTransactions()
    const nodes = await transactionsBatch(instance.testDestination, [
      purchase(1, { email: 'ada@example.com' }, 'anon-1'),
      purchase(2, { email: 'ada@example.com' })
    ])
    expect(contactIds(nodes)).toEqual(['CID_anon', 'CID_user'])
  })

  it('a failed lookup fails every event of the person, with its status', async () => {
    qualtrics()
      .post(isSearch, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .reply(503, { meta: { httpStatus: '503 - Unavailable' } })
    const nodes = await transactionsBatch(instance.testDestination, [
      purchase(1, { email: 'ada@example.com' }),
      purchase(2, {})
    ])
    expect(nodes.map((n) => n.status)).toEqual([503, 503])
  })
})

describe('in-flight lookups are shared across batches', () => {
  it('deduplication mode: two concurrent batches for one new person make one create', async () => {
    const directories = qualtrics()
      .get('/API/v3/directories')
      .reply(
        200,
        ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { externalDataReference: true } }] })
      )
    const create = qualtrics()
      .post(CONTACTS, { extRef: 'user-1', email: 'ada@example.com' })
      .delay(30)
      .reply(200, ok({ id: 'CID_dedup' }))
    const transactions = acceptTransactions(2)
    const run = (n: number) =>
      transactionsBatch(instance.testDestination, [purchase(n, { email: 'ada@example.com' })], {
        contactLookup: 'deduplication'
      })
    const [first, second] = await Promise.all([run(1), run(2)])
    expect([first[0].status, second[0].status]).toEqual([200, 200])
    expect([first[0].body, second[0].body]).toEqual([
      expect.objectContaining({ contactId: 'CID_dedup', contact: 'deduplication' }),
      expect.objectContaining({ contactId: 'CID_dedup', contact: 'cached' })
    ])
    expect(directories.isDone() && create.isDone() && transactions.isDone()).toBe(true)
  })

  it('deduplication mode reads the directory once for later batches of other people too', async () => {
    const directories = qualtrics()
      .get('/API/v3/directories')
      .reply(
        200,
        ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { externalDataReference: true } }] })
      )
    qualtrics()
      .post(CONTACTS)
      .times(2)
      .reply((_uri, body) => [200, ok({ id: `CID_${(body as { extRef: string }).extRef}` })])
    acceptTransactions(2)
    const first = await transactionsBatch(instance.testDestination, [purchase(1, {}, 'user-1')], {
      contactLookup: 'deduplication'
    })
    const second = await transactionsBatch(instance.testDestination, [purchase(2, {}, 'user-2')], {
      contactLookup: 'deduplication'
    })
    expect([first[0].body?.contactId, second[0].body?.contactId]).toEqual(['CID_user-1', 'CID_user-2'])
    expect([first[0].body?.contact, second[0].body?.contact]).toEqual(['deduplication', 'deduplication'])
    expect(directories.isDone()).toBe(true)
  })

  it('deduplication mode falling back to search shares too', async () => {
    // Read once: the second batch finds the person in the cache before it needs the directory's settings.
    const directories = qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { phone: true } }] }))
    qualtrics()
      .post(isSearch, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .delay(30)
      .reply(200, ok({ elements: [{ id: 'CID_1' }] }))
    acceptTransactions(2)
    const run = (n: number) =>
      transactionsBatch(instance.testDestination, [purchase(n, {})], { contactLookup: 'deduplication' })
    const [first, second] = await Promise.all([run(1), run(2)])
    expect([first[0].body?.contact, second[0].body?.contact]).toEqual(['extRef', 'cached'])
    expect(directories.isDone()).toBe(true)
  })

  it('search mode: a batch waits for another batch resolving the same person by another identifier set', async () => {
    qualtrics()
      .post(isSearch, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .delay(30)
      .reply(200, ok({ elements: [] }))
    searchesMissing([['email', 'ada@example.com']])
    const create = qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_new' }))
    acceptTransactions(2)
    const [first, second] = await Promise.all([
      transactionsBatch(instance.testDestination, [purchase(1, { email: 'ada@example.com' })]),
      transactionsBatch(instance.testDestination, [purchase(2, {})])
    ])
    expect(first[0].body).toMatchObject({ contactId: 'CID_new', contact: 'created' })
    expect(second[0].body).toMatchObject({ contactId: 'CID_new', contact: 'cached' })
    expect(create.isDone()).toBe(true)
  })
})
