import { KnownContacts } from '../contact-cache'
import { extRefsAgree } from '../identity-groups'
import { API, DIRECTORY, ok, qualtrics } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  DIR,
  isSearch,
  purchase,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'

// Qualtrics' search ignores case, and a search by email answers everyone with that email: what it answers may be
// another person's contact (a "near match"). A contact is the person's only when its extRef equals the person's
// exactly (after trimming), or one of them has none.

const instance = instanceForEachTest()
afterEach(() => expect(instance.state.identifierLocks.size).toBe(0))

type Shown = { id: string; extRef?: string; externalDataReference?: string; email?: string; creationDate?: string }

/** One search by `filterType` = `value`, answering these contacts (one page). */
const searching = (filterType: string, value: string, elements: Shown[]) =>
  qualtrics()
    .post(isSearch, { filter: { filterType, comparison: 'eq', value } })
    .reply(200, ok({ elements, nextPage: null }))

const creating = (body: Record<string, string>, id: string) => qualtrics().post(CONTACTS, body).reply(200, ok({ id }))

describe('a search answering a near match: it is passed over, not used', () => {
  it('ABC’s transaction does not land on abc’s contact (the extRef search ignores case): ABC gets its own', async () => {
    searching('extRef', 'ABC', [{ id: 'CID_abc', extRef: 'abc' }])
    const create = creating({ extRef: 'ABC' }, 'CID_ABC')
    const seen: string[][] = []
    acceptTransactions(1, seen)
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {}, 'ABC')])
    expect(create.isDone()).toBe(true)
    expect(seen).toEqual([['CID_ABC']])
    expect(node.body).toMatchObject({
      contactId: 'CID_ABC',
      contact: 'created',
      nearMatches: ['CID_abc'],
      nearMatchCount: 1,
      note: expect.stringMatching(/1 contact .*another External Data Reference.*passed over/)
    })
  })

  it('an email shared with a contact of another extRef is not this person’s: the person is created', async () => {
    searching('extRef', 'user-1', [])
    searching('email', 'ada@example.com', [{ id: 'CID_anon', extRef: 'anon-1', email: 'ada@example.com' }])
    const create = creating({ extRef: 'user-1', email: 'ada@example.com' }, 'CID_user')
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'ada@example.com' })])
    expect(create.isDone()).toBe(true)
    expect(node.body).toMatchObject({ contactId: 'CID_user', contact: 'created', nearMatchCount: 1 })
  })

  it('a near match shown as externalDataReference (the name Segment’s client reads) is passed over too', async () => {
    searching('extRef', 'ABC', [{ id: 'CID_abc', externalDataReference: 'abc' }])
    creating({ extRef: 'ABC' }, 'CID_ABC')
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {}, 'ABC')])
    expect(node.body).toMatchObject({ contactId: 'CID_ABC', nearMatches: ['CID_abc'] })
  })

  it.each([
    ['shows no extRef', { id: 'CID_found', email: 'ada@example.com' }],
    ['shows a blank extRef', { id: 'CID_found', extRef: '  ', email: 'ada@example.com' }],
    ['shows the same extRef with spaces around it', { id: 'CID_found', extRef: ' user-1 ', email: 'ada@example.com' }]
  ])('a contact found by email that %s is the person’s', async (_, shown) => {
    searching('extRef', 'user-1', [])
    searching('email', 'ada@example.com', [shown])
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'ada@example.com' })])
    expect(node.body).toMatchObject({ contactId: 'CID_found', contact: 'email' })
    expect(node.body).not.toHaveProperty('nearMatches')
  })

  it('an event without an extRef takes a contact whatever its extRef (one of them has none)', async () => {
    searching('email', 'ada@example.com', [{ id: 'CID_anon', extRef: 'anon-1' }])
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'ada@example.com' })], {
      matchContactBy: ['email'],
      extRef: ''
    })
    expect(node.body).toMatchObject({ contactId: 'CID_anon', contact: 'email' })
  })

  it('several matches, some another person’s: the oldest of the person’s own is used; the rest are named apart', async () => {
    searching('extRef', 'user-1', [
      { id: 'CID_near', extRef: 'USER-1', creationDate: '2020-01-01T00:00:00Z' },
      { id: 'CID_b', extRef: 'user-1', creationDate: '2023-01-01T00:00:00Z' },
      { id: 'CID_a', extRef: 'user-1', creationDate: '2022-01-01T00:00:00Z' }
    ])
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {})])
    expect(node.body).toMatchObject({
      contactId: 'CID_a',
      contact: 'extRef',
      otherMatches: ['CID_b'],
      otherMatchCount: 1,
      nearMatches: ['CID_near'],
      nearMatchCount: 1
    })
  })

  it('with "When several contacts match" = fail, a near match does not make the match ambiguous', async () => {
    searching('extRef', 'user-1', [
      { id: 'CID_near', extRef: 'User-1' },
      { id: 'CID_own', extRef: 'user-1' }
    ])
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {})], { multipleMatches: 'fail' })
    expect(node).toMatchObject({ status: 200, body: { contactId: 'CID_own', nearMatchCount: 1 } })
  })

  it('with "fail", two of the person’s own contacts among near matches are still ambiguous (409)', async () => {
    searching('extRef', 'user-1', [
      { id: 'CID_near', extRef: 'User-1' },
      { id: 'CID_one', extRef: 'user-1' },
      { id: 'CID_two', extRef: 'user-1' }
    ])
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {})], { multipleMatches: 'fail' })
    expect(node.status).toBe(409)
  })

  it('near matches filling the first page do not hide the person’s contact on the next: every page is read', async () => {
    const filter = { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } }
    const nearPage = Array.from({ length: 100 }, (_, i) => ({ id: `CID_near${i}`, extRef: 'USER-1' }))
    const second = `${API}${DIR}/contacts/search?pageSize=100&skipToken=page-2`
    qualtrics()
      .post((uri) => isSearch(uri) && !uri.includes('skipToken'), filter)
      .reply(200, ok({ elements: nearPage, nextPage: second }))
    const page2 = qualtrics()
      .post((uri) => uri.includes('skipToken=page-2'), filter)
      .reply(200, ok({ elements: [{ id: 'CID_own', extRef: 'user-1' }], nextPage: null }))
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {})])
    expect(page2.isDone()).toBe(true)
    expect(node.body).toMatchObject({ contactId: 'CID_own', contact: 'extRef', nearMatchCount: 100 })
    expect(node.body?.nearMatches).toHaveLength(10)
  })

  it('an email search answering a last page full of other people creates the person (every page was read)', async () => {
    searching('extRef', 'user-1', [])
    searching(
      'email',
      'shared@example.com',
      Array.from({ length: 100 }, (_, i) => ({ id: `CID_other${i}`, extRef: `other-${i}` }))
    )
    creating({ extRef: 'user-1', email: 'shared@example.com' }, 'CID_user')
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'shared@example.com' })])
    expect(node.body).toMatchObject({ contactId: 'CID_user', contact: 'created', nearMatchCount: 100 })
    expect(node.body?.note).not.toMatch(/page/)
  })

  it('in one batch, user-1 does not land on anon-1’s contact through a shared email', async () => {
    const anon = { id: 'CID_anon', extRef: 'anon-1', email: 'ada@example.com' }
    searching('extRef', 'anon-1', [anon])
    searching('extRef', 'user-1', [])
    searching('email', 'ada@example.com', [anon])
    const create = creating({ extRef: 'user-1', email: 'ada@example.com' }, 'CID_user')
    const seen: string[][] = []
    acceptTransactions(1, seen)
    const nodes = await transactionsBatch(instance.testDestination, [
      purchase(1, { email: 'ada@example.com' }, 'anon-1'),
      purchase(2, { email: 'ada@example.com' }, 'user-1')
    ])
    expect(create.isDone()).toBe(true)
    expect(seen).toEqual([['CID_anon', 'CID_user']])
    expect(nodes.map((n) => n.body?.contact)).toEqual(['extRef', 'created'])
  })

  it('a create the directory’s deduplication answers with a passed-over contact: the result says so', async () => {
    searching('extRef', 'user-1', [])
    searching('email', 'ada@example.com', [{ id: 'CID_anon', extRef: 'anon-1' }])
    creating({ extRef: 'user-1', email: 'ada@example.com' }, 'CID_anon')
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'ada@example.com' })])
    expect(node.body).toMatchObject({ contactId: 'CID_anon', contact: 'created', nearMatches: ['CID_anon'] })
    expect(node.body?.note).toMatch(/deduplication .*CID_anon/)
  })

  it('a person found among near matches is remembered by its own values only: a near match is never cached', async () => {
    searching('extRef', 'ABC', [{ id: 'CID_abc', extRef: 'abc' }])
    creating({ extRef: 'ABC' }, 'CID_ABC')
    acceptTransactions(2)
    await transactionsBatch(instance.testDestination, [purchase(1, {}, 'ABC')])
    // abc was never resolved: its lookup searches (a cached CID_abc for ABC, or CID_ABC for abc, would skip it).
    searching('extRef', 'abc', [{ id: 'CID_abc', extRef: 'abc' }])
    const [node] = await transactionsBatch(instance.testDestination, [purchase(2, {}, 'abc')])
    expect(node.body).toMatchObject({ contactId: 'CID_abc', contact: 'extRef' })
  })
})

describe('a write the directory’s deduplication answers with another person’s contact', () => {
  const emailDeduplication = () =>
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { email: true } }] }))

  it('deduplication lookup: user-1 joined to anon-1’s contact (shared email) says so, and is not remembered', async () => {
    emailDeduplication()
    // Qualtrics matches user-1's create to anon-1's contact by the shared email, and answers its id.
    qualtrics()
      .post(CONTACTS, { extRef: 'anon-1', email: 'ada@example.com' })
      .reply(200, ok({ id: 'CID_anon' }))
    qualtrics()
      .post(CONTACTS, { extRef: 'user-1', email: 'ada@example.com' })
      .times(2)
      .reply(200, ok({ id: 'CID_anon' }))
    acceptTransactions(2)
    const lookup = { contactLookup: 'deduplication' }
    const nodes = await transactionsBatch(
      instance.testDestination,
      [purchase(1, { email: 'ada@example.com' }, 'anon-1'), purchase(2, { email: 'ada@example.com' }, 'user-1')],
      lookup
    )
    expect(nodes.map((n) => n.body?.contact)).toEqual(['deduplication', 'deduplication'])
    expect(nodes[0].body).not.toHaveProperty('note')
    expect(nodes[1].body?.note).toMatch(/deduplication .*CID_anon.*another External Data Reference/)
    // Not remembered as user-1's: the next event of user-1 writes again (and is told again), it is not "cached".
    const [next] = await transactionsBatch(
      instance.testDestination,
      [purchase(3, { email: 'ada@example.com' }, 'user-1')],
      lookup
    )
    expect(next.body).toMatchObject({ contact: 'deduplication', note: expect.stringMatching(/CID_anon/) })
  })
})

describe('the contact cache applies the same rule', () => {
  const known = () => new KnownContacts(instance.state.contacts, 'account', DIRECTORY)

  it('an extRef differing in case is another person; spaces around it are not', () => {
    known().remember('email', 'ada@example.com', { contactId: 'CID_abc', extRef: 'abc' })
    expect(known().lookup('email', 'ada@example.com', 'ABC')).toEqual({
      otherPerson: { contactId: 'CID_abc', extRef: 'abc' }
    })
    expect(known().find('email', 'ada@example.com', ' abc ')?.contactId).toBe('CID_abc')
    expect(known().find('email', 'ada@example.com', '')?.contactId).toBe('CID_abc')
  })

  it.each([
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    [' abc', 'abc ', true],
    [undefined, 'abc', true],
    ['  ', 'abc', true],
    ['abc', undefined, true],
    ['user-1', 'anon-1', false]
  ])('contact extRef %p and person extRef %p agree: %p', (contact, person, agree) => {
    expect(extRefsAgree(contact, person)).toBe(agree)
  })
})
