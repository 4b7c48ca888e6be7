import type { SegmentEvent } from '@segment/actions-core'
import { ok, qualtrics, settings } from '../../__tests__/__helpers__/qualtrics'
import {
  AUDIENCE_KEY,
  directoriesWith,
  EMAIL_DEDUP,
  engageIdentify,
  LIST_CONTACTS,
  SEARCH
} from '../../__tests__/__helpers__/audience'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

// Qualtrics' search ignores case, and a search by email answers everyone with that email: an exit must never take
// another person's contact out of the list (see docs/behaviour.md, "Which contact is the person's").

const instance = instanceForEachTest()

const run = (event: SegmentEvent) =>
  instance.testDestination.testAction('syncAudience', {
    event,
    settings,
    mapping: { __segment_internal_sync_mode: 'mirror' },
    useDefaultMappings: true
  })
const batch = (events: SegmentEvent[]) =>
  instance.testDestination.testBatchAction('syncAudience', {
    events,
    settings,
    mapping: { __segment_internal_sync_mode: 'mirror' },
    useDefaultMappings: true
  })
const lastData = () => instance.testDestination.results.at(-1)?.data as Record<string, unknown>
const nodes = () =>
  (instance.testDestination.results[0] as unknown as { multistatus: Array<{ body?: Record<string, unknown> }> })
    .multistatus
const search = (value: string, ids: string[], filterType = 'extRef') =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .query({ pageSize: '100' })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))

describe('a search answering another person’s contact (a near match) removes nobody', () => {
  const answering = (value: string, elements: object[], filterType = 'extRef') =>
    qualtrics()
      .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
      .query(true)
      .reply(200, ok({ elements, nextPage: null }))

  it('ABC leaving does not remove abc (the extRef search ignores case)', async () => {
    answering('ABC', [{ id: 'CID_abc', extRef: 'abc', email: 'abc@example.com' }])
    answering('ada@example.com', [], 'email')
    // No DELETE is declared: one would fail the test.
    await run(engageIdentify(false, { userId: 'ABC' }))
    expect(lastData()).toMatchObject({
      action: 'none',
      nearMatches: ['CID_abc'],
      nearMatchCount: 1,
      note: expect.stringMatching(/nobody to remove.*1 contact .*another External Data Reference/)
    })
  })

  it('an email shared with a contact of another extRef: that contact stays in the list', async () => {
    answering('user-1', [])
    answering('ada@example.com', [{ id: 'CID_anon', extRef: 'anon-1' }], 'email')
    await run(engageIdentify(false))
    expect(lastData()).toMatchObject({ action: 'none', nearMatchCount: 1 })
  })

  it('a contact found by email that has no extRef is the person’s: it is removed', async () => {
    answering('user-1', [])
    answering('ada@example.com', [{ id: 'CID_noref', email: 'ada@example.com' }], 'email')
    const removed = qualtrics().delete(`${LIST_CONTACTS}/CID_noref`).reply(200, ok({}))
    await run(engageIdentify(false))
    expect(removed.isDone()).toBe(true)
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_noref' })
  })

  it('among several matches, the person’s own is removed and the near match left alone', async () => {
    answering('ABC', [
      { id: 'CID_abc', extRef: 'abc', creationDate: '2020-01-01T00:00:00Z' },
      { id: 'CID_ABC', extRef: 'ABC', creationDate: '2024-01-01T00:00:00Z' }
    ])
    const removed = qualtrics().delete(`${LIST_CONTACTS}/CID_ABC`).reply(200, ok({}))
    await run(engageIdentify(false, { userId: 'ABC' }))
    expect(removed.isDone()).toBe(true)
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_ABC', nearMatchCount: 1 })
  })
})

describe('an add the directory’s deduplication joins to another person’s contact', () => {
  it('user-1 joined to anon-1’s contact by an email rule: the result says so, and it is not remembered', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2)
      .reply(200, ok({ id: 'CID_anon' }))
    await batch([
      engageIdentify(true, { userId: 'anon-1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } }),
      engageIdentify(true, { userId: 'user-1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(nodes()[0].body).not.toHaveProperty('note')
    expect(nodes()[1].body).toMatchObject({
      action: 'added',
      contactId: 'CID_anon',
      note: expect.stringMatching(/deduplication .*CID_anon.*another External Data Reference/)
    })
    // user-1 leaving is looked up afresh (CID_anon was not remembered as user-1's), and the search shows whose it is.
    search('user-1', [])
    qualtrics()
      .post(SEARCH, { filter: { filterType: 'email', comparison: 'eq', value: 'family@x.co' } })
      .query(true)
      .reply(200, ok({ elements: [{ id: 'CID_anon', extRef: 'anon-1' }] }))
    await run(engageIdentify(false, { userId: 'user-1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: false } }))
    expect(lastData()).toMatchObject({ action: 'none', nearMatches: ['CID_anon'] })
  })
})
