import { DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './__helpers__/qualtrics'
import { AUDIENCE_KEY, engageIdentify, LIST_CONTACTS, SEARCH } from './__helpers__/audience'
import { instanceForEachTest } from './__helpers__/instance'
import { acceptTransactions, CONTACTS, purchase, transactionsBatch } from './__helpers__/transactions'

// GET /directories shows one object of five flags; whether two flags are one rule (every flagged field must match)
// or a rule each (any one may) is not documented (research notes §16). An event that one reading covers is never
// refused: it takes a path right under both, and its result says so.

const instance = instanceForEachTest({ importPolling: { deadlineMs: 400, firstPollMs: 5, maxPollMs: 40 } })
const TWO_FLAGS = { externalDataReference: true, email: true, phone: false, firstName: false, lastName: false }
const directoryWithTwoFlags = () =>
  qualtrics()
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: TWO_FLAGS }], nextPage: null }))
const search = (filterType: string, value: string, elements: object[]) =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .query({ pageSize: '100' })
    .reply(200, ok({ elements, nextPage: null }))

describe('an audience entry without one of two flagged fields', () => {
  const enter = () =>
    instance.testDestination.testAction('syncAudience', {
      event: engageIdentify(true, { userId: null, anonymousId: 'anon-1' }),
      settings,
      mapping: { __segment_internal_sync_mode: 'mirror' },
      useDefaultMappings: true
    })
  const lastData = () => instance.testDestination.results.at(-1)?.data as Record<string, unknown>

  it('takes the missing field from the person’s contact, so that either reading matches it', async () => {
    directoryWithTwoFlags()
    search('email', 'ada@example.com', [{ id: 'CID_ada', externalDataReference: 'user-9', email: 'ada@example.com' }])
    const added = qualtrics()
      .post(LIST_CONTACTS, { extRef: 'user-9', email: 'ada@example.com', firstName: 'Ada' })
      .reply(200, ok({ id: 'CID_ada' }))
    await enter()
    expect(added.isDone()).toBe(true)
    expect(lastData()).toMatchObject({ action: 'added', contactId: 'CID_ada', note: expect.stringMatching(/CID_ada/) })
  })

  it('nobody found: added as it is (a new person is one new contact under either reading), and said so', async () => {
    directoryWithTwoFlags()
    search('email', 'ada@example.com', [])
    const added = qualtrics()
      .post(LIST_CONTACTS, { email: 'ada@example.com', firstName: 'Ada' })
      .reply(200, ok({ id: 'CID_new' }))
    await enter()
    expect(added.isDone()).toBe(true)
    expect(lastData()).toMatchObject({ action: 'added', note: expect.stringMatching(/one rule.*or one rule each/) })
  })

  it('the person’s contact lacks the field too: added, and a second contact Qualtrics made is named', async () => {
    directoryWithTwoFlags()
    search('email', 'ada@example.com', [{ id: 'CID_ada', email: 'ada@example.com' }])
    qualtrics()
      .post(LIST_CONTACTS, { email: 'ada@example.com', firstName: 'Ada' })
      .reply(200, ok({ id: 'CID_second' }))
    await enter()
    expect(lastData()).toMatchObject({
      action: 'added',
      contactId: 'CID_second',
      note: expect.stringMatching(/CID_second.*CID_ada/)
    })
  })

  it('an event with no flagged identifier at all is refused, as no reading covers it', async () => {
    directoryWithTwoFlags()
    const refused = instance.testDestination.testAction('syncAudience', {
      event: engageIdentify(true, {
        userId: null,
        anonymousId: 'anon-1',
        traits: { phone: '+1555', [AUDIENCE_KEY]: true }
      }),
      settings,
      mapping: { __segment_internal_sync_mode: 'mirror' },
      useDefaultMappings: true
    })
    await expect(refused).rejects.toMatchObject({ code: 'DEDUPLICATION_NOT_MATCHING' })
  })
})

describe('a bulk import record without one of two flagged fields', () => {
  it('goes as a transaction (search, then create), not into the import, and says why', async () => {
    directoryWithTwoFlags()
    search('extRef', 'user-1', [])
    qualtrics()
      .post(CONTACTS, { extRef: 'user-1' })
      .reply(200, ok({ id: 'CID_1' }))
    acceptTransactions()
    const now = new Date(instance.clock.now()).toISOString()
    const [node] = await transactionsBatch(instance.testDestination, [{ ...purchase(1, {}), timestamp: now }], {
      bulkImport: true
    })
    expect(node).toMatchObject({
      status: 200,
      body: { contactId: 'CID_1', contact: 'created', note: expect.stringMatching(/not imported/) }
    })
  })
})

describe('the deduplication lookup without one of two flagged fields', () => {
  it('searches instead of trusting a create, and says so', async () => {
    directoryWithTwoFlags()
    search('extRef', 'user-1', [{ id: 'CID_1', extRef: 'user-1' }])
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {})], {
      contactLookup: 'deduplication',
      mailingListId: MAILING_LIST
    })
    expect(node.body).toMatchObject({
      contactId: 'CID_1',
      contact: 'extRef',
      note: expect.stringMatching(/searched/)
    })
  })
})
