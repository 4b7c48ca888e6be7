import type { SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import {
  API_TOKEN,
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  MAILING_LIST,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import {
  AUDIENCE_KEY,
  DIR,
  directoriesWith,
  EMAIL_DEDUP,
  failure,
  engageIdentify,
  engageTrack,
  LIST,
  LIST_CONTACTS,
  personas,
  SEARCH
} from '../../__tests__/__helpers__/audience'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import type { TestDestination } from '../../__tests__/__helpers__/instance'
import type { ErrorStatusRow } from '../../__tests__/__helpers__/qualtrics'

const instance = instanceForEachTest()

type Mode = 'mirror' | 'add' | 'delete'
const run = (
  event: SegmentEvent,
  mapping: Record<string, unknown> = {},
  syncMode: Mode = 'mirror',
  destination: TestDestination = instance.testDestination
) =>
  destination.testAction('syncAudience', {
    event,
    settings,
    mapping: { __segment_internal_sync_mode: syncMode, ...mapping },
    useDefaultMappings: true
  })
const lastData = () => instance.testDestination.results.at(-1)?.data as Record<string, unknown>
const search = (value: string, ids: string[], filterType = 'extRef') =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .query({ pageSize: '100' })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))

describe('syncAudience: entering the audience', () => {
  it('adds the person to the list with one request, after one read of the directory’s deduplication', async () => {
    directoriesWith(EMAIL_DEDUP)
    const added = qualtrics()
      .post(LIST_CONTACTS, { extRef: 'user-1', email: 'ada@example.com', firstName: 'Ada' })
      .reply(200, ok({ id: 'CID_1', contactLookupId: 'CGC_1' }))
    await run(engageIdentify(true))
    expect(added.isDone()).toBe(true)
    expect(lastData()).toEqual({
      action: 'added',
      directoryId: DIRECTORY,
      mailingListId: MAILING_LIST,
      contactId: 'CID_1',
      contactLookupId: 'CGC_1'
    })
  })

  it('takes Audience Entered (track) with the email from context.traits', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS, { extRef: 'user-1', email: 'ada@example.com' })
      .reply(200, ok({ id: 'CID_1' }))
    await run(engageTrack(true))
    expect(lastData()).toMatchObject({ action: 'added', contactId: 'CID_1' })
  })

  it('reads the directory’s deduplication once per process, not once per event', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2)
      .reply(200, ok({ id: 'CID_1' }))
    await run(engageIdentify(true))
    await run(engageIdentify(true, { userId: 'user-2', traits: { email: 'b@x.co', [AUDIENCE_KEY]: true } }))
    expect(nock.pendingMocks()).toEqual([])
  })

  it('records membership on the contact as segment_<audience key> = "true" when asked', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS, (body) => body.embeddedData?.[`segment_${AUDIENCE_KEY}`] === 'true')
      .reply(200, ok({ id: 'CID_1' }))
    await run(engageIdentify(true), { membershipOnContact: true })
    expect(lastData()).toMatchObject({ action: 'added' })
  })

  it('a 2xx without a contact id still added the person: success with a note', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(LIST_CONTACTS).reply(200, ok({}))
    await run(engageIdentify(true))
    expect(lastData().note).toMatch(/no contact id \(result\.id\) \(request id req-ok\)/)
  })

  describe('refuses a directory whose deduplication would let the add create a duplicate, sending nothing', () => {
    it('no deduplication at all: names the setting to turn on', async () => {
      directoriesWith({ email: false, externalDataReference: false })
      const error = await failure(run(engageIdentify(true)))
      expect(error).toMatchObject({ status: 400, code: 'DEDUPLICATION_REQUIRED' })
      expect(error.message).toMatch(/does not deduplicate contacts.*Turn on Automatic deduplication \(XM Directory/)
    })

    it('no flagged identifier on the event (no userId, so no External Data Reference; the other flag a name)', async () => {
      directoriesWith({ externalDataReference: true, firstName: true })
      const error = await failure(run(engageIdentify(true, { userId: null, anonymousId: 'anon-1' })))
      expect(error).toMatchObject({ status: 400, code: 'DEDUPLICATION_NOT_MATCHING' })
      expect(error.message).toMatch(
        /deduplicates contacts on External Data Reference and First Name, and this event has no External Data Reference: Qualtrics would skip the rule/
      )
    })

    it('a rule on names only', async () => {
      directoriesWith({ firstName: true, lastName: true })
      const error = await failure(run(engageIdentify(true)))
      expect(error.message).toMatch(/deduplicates only on First Name and Last Name/)
    })

    it('a directory the credentials cannot see', async () => {
      directoriesWith(EMAIL_DEDUP, 'POOL_other')
      const error = await failure(run(engageIdentify(true)))
      expect(error).toMatchObject({ status: 404, code: 'DIRECTORY_NOT_FOUND' })
    })
  })
})

describe('syncAudience: exiting the audience', () => {
  it('finds the contact by extRef and removes only its membership', async () => {
    search('user-1', ['CID_1'])
    const removed = qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
    await run(engageIdentify(false))
    expect(removed.isDone()).toBe(true)
    expect(lastData()).toEqual({
      action: 'removed',
      directoryId: DIRECTORY,
      mailingListId: MAILING_LIST,
      contactId: 'CID_1'
    })
  })

  it('uses the contact the add remembered: no search', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .reply(200, ok({ id: 'CID_7' }))
    qualtrics().delete(`${LIST_CONTACTS}/CID_7`).reply(200, ok({}))
    await run(engageIdentify(true))
    await run(engageTrack(false))
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_7' })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('a person nobody matches needs no removal: success with a note, no DELETE', async () => {
    search('user-1', [])
    search('ada@example.com', [], 'email')
    await run(engageIdentify(false))
    expect(lastData()).toMatchObject({ action: 'none', note: expect.stringMatching(/nobody to remove/) })
  })

  it('a 404 for a contact not in the list is success, after a read that shows the list exists', async () => {
    search('user-1', ['CID_1'])
    qualtrics()
      .delete(`${LIST_CONTACTS}/CID_1`)
      .reply(404, qualtricsError(404, 'not in list', 'GET_CONTACT_FROM_LIST_NOT_FOUND'))
    qualtrics()
      .get(LIST)
      .reply(200, ok({ mailingListId: MAILING_LIST, name: 'Cart abandoners' }))
    await run(engageIdentify(false))
    expect(lastData()).toMatchObject({ action: 'none', note: `Contact CID_1 was not in mailing list ${MAILING_LIST}.` })
  })

  it('a 404 when the list itself is gone is a final error naming the list', async () => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(404, qualtricsError(404, 'Not Found'))
    qualtrics().get(LIST).reply(404, qualtricsError(404, 'Not Found'))
    const error = await failure(run(engageIdentify(false)))
    expect(error).toMatchObject({ status: 404, code: 'MAILING_LIST_NOT_FOUND' })
    expect(error.message).toContain(`no mailing list ${MAILING_LIST} in directory ${DIRECTORY}`)
  })

  /** The add remembers CID_old; the list no longer holds it; a fresh search finds CID_new, which it does hold. */
  const staleRememberedContact = async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .reply(200, ok({ id: 'CID_old' }))
    await run(engageIdentify(true))
    qualtrics().delete(`${LIST_CONTACTS}/CID_old`).reply(404, qualtricsError(404, 'not in list'))
    qualtrics()
      .get(LIST)
      .reply(200, ok({ mailingListId: MAILING_LIST }))
    search('user-1', ['CID_new'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_new`).reply(200, ok({}))
  }

  it('a remembered contact the list does not hold is looked up afresh once (merged or deleted since)', async () => {
    await staleRememberedContact()
    await run(engageIdentify(false))
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_new' })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('with membership recorded, a stale remembered contact is looked up afresh before the contact is written', async () => {
    await staleRememberedContact()
    // Only the contact that was actually in the list is read and written: nothing is sent for CID_old.
    qualtrics()
      .get(`${DIR}/contacts/CID_new`)
      .reply(200, ok({ embeddedData: {} }))
    const updated = qualtrics()
      .put(`${DIR}/contacts/CID_new`, { embeddedData: { [`segment_${AUDIENCE_KEY}`]: 'false' } })
      .reply(200, ok({}))
    await run(engageIdentify(false), { membershipOnContact: true })
    expect(updated.isDone()).toBe(true)
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_new' })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('sets segment_<audience key> to "false" on the contact when membership is recorded', async () => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
    qualtrics()
      .get(`${DIR}/contacts/CID_1`)
      .reply(200, ok({ embeddedData: { [`segment_${AUDIENCE_KEY}`]: 'true' } }))
    const updated = qualtrics()
      .put(`${DIR}/contacts/CID_1`, { embeddedData: { [`segment_${AUDIENCE_KEY}`]: 'false' } })
      .reply(200, ok({}))
    await run(engageIdentify(false), { membershipOnContact: true })
    expect(updated.isDone()).toBe(true)
  })
})

describe('syncAudience: sync mode', () => {
  it('"add" leaves exits alone: nothing is sent', async () => {
    await run(engageIdentify(false), {}, 'add')
    expect(lastData()).toEqual({ action: 'none', note: 'Sync mode "add": exits are not removed.' })
  })

  it('"delete" leaves entries alone: nothing is sent', async () => {
    await run(engageIdentify(true), {}, 'delete')
    expect(lastData()).toEqual({ action: 'none', note: 'Sync mode "delete": entries are not added.' })
  })

  it('without a sync mode in the mapping, mirrors (the declared default)', async () => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
    await instance.testDestination.testAction('syncAudience', {
      event: engageIdentify(false),
      settings,
      useDefaultMappings: true
    })
    expect(lastData()).toMatchObject({ action: 'removed' })
  })
})

describe('syncAudience: bad input is a final error for the event, and nothing is sent', () => {
  it.each([
    ['no membership at all', engageIdentify(undefined), /says nothing about audience membership/],
    ['a boolean sent as a string', engageIdentify('true'), /is the string "true", not a boolean/],
    ['a number', engageIdentify(1), /is a number, not a boolean/],
    [
      'a membership under a key that is not the computation key',
      engageIdentify(undefined, {
        traits: { email: 'a@x.co', [AUDIENCE_KEY]: true },
        context: { personas: personas({ computation_class: 'trait' }) }
      }),
      /is not an Engage audience event for that key/
    ]
  ])('%s', async (_, event, message) => {
    const error = await failure(run(event))
    expect(error).toMatchObject({ status: 400, code: 'INVALID_AUDIENCE_MEMBERSHIP' })
    expect(error.message).toMatch(message)
  })

  it('a missing audience key', async () => {
    const event = engageIdentify(true, { context: { personas: personas({ computation_key: undefined }) } })
    await expect(run(event)).rejects.toThrow("missing the required field 'audienceKey'")
  })

  it('a missing external audience id', async () => {
    const event = engageIdentify(true, { context: { personas: personas({ external_audience_id: undefined }) } })
    await expect(run(event)).rejects.toThrow("missing the required field 'externalAudienceId'")
  })

  it.each(['CG_list123', 'POOL_abc123', 'POOL_abc:CG_x:CG_y', 'pool_abc:cg_x', 'POOL_a b:CG_x', ' : '])(
    'a malformed external audience id %j',
    async (id) => {
      const event = engageIdentify(true, { context: { personas: personas({ external_audience_id: id }) } })
      const error = await failure(run(event))
      expect(error).toMatchObject({ status: 400 })
      expect(error.message).toMatch(
        /External audience ID .* is not one this destination made: it has the form POOL_…:CG_…/
      )
    }
  )

  it('a member without any identifier', async () => {
    const error = await failure(
      run(engageIdentify(true, { userId: null, anonymousId: 'a', traits: { [AUDIENCE_KEY]: true } }))
    )
    expect(error.message).toMatch(/The member has no identifier/)
  })

  it('an audience key too long for an embedded-data name, when membership is recorded', async () => {
    const key = 'k'.repeat(200)
    const event = engageIdentify(undefined, {
      traits: { email: 'a@x.co', [key]: true },
      context: { personas: personas({ computation_key: key }) }
    })
    await expect(run(event, { membershipOnContact: true })).rejects.toThrow(/Qualtrics allows 200/)
  })

  it('an unknown list (or one in another directory): the add’s 404 is final and names the list', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(LIST_CONTACTS).reply(404, qualtricsError(404, 'Not Found'))
    const error = await failure(run(engageIdentify(true)))
    expect(error).toMatchObject({ status: 404 })
    expect(error.message).toContain(`mailing list ${MAILING_LIST} was not found in directory ${DIRECTORY}`)
    expect(isRetryableStatus(error.status)).toBe(false)
  })
})

describe('syncAudience: errors from Qualtrics, on each call', () => {
  const expectMapped = (error: { status: number; message: string }, row: ErrorStatusRow) => {
    expect(error).toMatchObject(row.expected)
    expect(error.message).toMatch(row.text)
    expect(isRetryableStatus(error.status)).toBe(row.retryable)
    expect(error.message).not.toContain(API_TOKEN)
  }
  const reply = (status: number) => qualtricsError(status, `bad thing`)

  it.each(ERROR_STATUSES)('reading the directories answers $status', async (row) => {
    qualtrics().get('/API/v3/directories').reply(row.status, reply(row.status))
    expectMapped(await failure(run(engageIdentify(true))), row)
  })

  it.each(ERROR_STATUSES)('adding to the list answers $status', async (row) => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(LIST_CONTACTS).reply(row.status, reply(row.status))
    expectMapped(await failure(run(engageIdentify(true))), row)
  })

  it.each(ERROR_STATUSES)('searching for the contact to remove answers $status', async (row) => {
    qualtrics().post(SEARCH).query(true).reply(row.status, reply(row.status))
    expectMapped(await failure(run(engageIdentify(false))), row)
  })

  it.each(ERROR_STATUSES.filter((row) => row.status !== 404))('removing from the list answers $status', async (row) => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(row.status, reply(row.status))
    expectMapped(await failure(run(engageIdentify(false))), row)
  })

  it.each(ERROR_STATUSES.filter((row) => row.status !== 404))(
    'reading the list after a 404 answers $status',
    async (row) => {
      search('user-1', ['CID_1'])
      qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(404, reply(404))
      qualtrics().get(LIST).reply(row.status, reply(row.status))
      expectMapped(await failure(run(engageIdentify(false))), row)
    }
  )

  it.each(ERROR_STATUSES)('recording membership on the contact answers $status', async (row) => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
    qualtrics()
      .get(`${DIR}/contacts/CID_1`)
      .reply(200, ok({ embeddedData: {} }))
    qualtrics().put(`${DIR}/contacts/CID_1`).reply(row.status, reply(row.status))
    expectMapped(await failure(run(engageIdentify(false), { membershipOnContact: true })), row)
  })

  const removal = () => search('user-1', ['CID_1']) && qualtrics().delete(`${LIST_CONTACTS}/CID_1`)
  const listRead = () => removal().reply(404, reply(404)) && qualtrics().get(LIST)
  const contactRead = () => removal().reply(200, ok({})) && qualtrics().get(`${DIR}/contacts/CID_1`)
  const contactUpdate = () =>
    contactRead().reply(200, ok({ embeddedData: {} })) && qualtrics().put(`${DIR}/contacts/CID_1`)
  it.each([
    ['reading the directories', () => qualtrics().get('/API/v3/directories'), true],
    ['adding', () => directoriesWith(EMAIL_DEDUP) && qualtrics().post(LIST_CONTACTS), true],
    ['searching', () => qualtrics().post(SEARCH).query(true), false],
    ['removing', removal, false],
    ['reading the list after a 404', listRead, false],
    ['reading the contact before recording membership', contactRead, false],
    ['recording membership on the contact', contactUpdate, false]
  ])('%s times out: a retryable 504', async (_, scope, member) => {
    ;(scope as () => nock.Interceptor)()
      .delay(2000)
      .reply(200, ok({ id: 'CID_1' }))
    const shortTimeout = qualtricsUnderTest({ requestTimeoutMs: 200 }).testDestination
    const error = await failure(run(engageIdentify(member), { membershipOnContact: true }, 'mirror', shortTimeout))
    expect(error.status).toBe(504)
    expect(error.message).toMatch(/no answer within 200 ms/)
    expect(isRetryableStatus(error.status)).toBe(true)
  })
})

describe('syncAudience in a batch', () => {
  const batch = (events: SegmentEvent[], mapping: Record<string, unknown> = {}) =>
    instance.testDestination.testBatchAction('syncAudience', {
      events,
      settings,
      mapping: { __segment_internal_sync_mode: 'mirror', ...mapping },
      useDefaultMappings: true
    })
  type Node = {
    status: number
    body?: Record<string, unknown>
    sent?: unknown
    errormessage?: string
    errortype?: string
  }
  const nodes = () => (instance.testDestination.results[0] as unknown as { multistatus: Node[] }).multistatus

  it('adds distinct people one request each, after one read of the directory; one result per event', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .times(3)
      .reply(200, (_uri, body) => ok({ id: `CID_${(body as { extRef: string }).extRef}` }))
    await batch(
      [1, 2, 3].map((n) =>
        engageIdentify(true, { userId: `u${n}`, traits: { email: `u${n}@x.co`, [AUDIENCE_KEY]: true } })
      )
    )
    expect(nodes().map((n) => [n.status, n.body?.contactId])).toEqual([
      [200, 'CID_u1'],
      [200, 'CID_u2'],
      [200, 'CID_u3']
    ])
    expect(nodes()[0].sent).toEqual({ extRef: 'u1', email: 'u1@x.co' })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('collapses one person’s events (a shared email, extRef or not) to the last one: enter then exit removes', async () => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
    await batch([
      engageIdentify(true, {
        userId: null,
        anonymousId: 'anon-1',
        traits: { email: 'ADA@example.com', [AUDIENCE_KEY]: true }
      }),
      engageIdentify(false)
    ])
    expect(nodes().map((n) => [n.status, n.body?.action, n.body?.supersededBy])).toEqual([
      [200, 'removed', 1],
      [200, 'removed', undefined]
    ])
  })

  it('two people who share an email are two people: each is added, one after the other in batch order', async () => {
    directoriesWith({ ...EMAIL_DEDUP, externalDataReference: true, email: false })
    const sent: string[] = []
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2)
      .reply((_uri, body) => {
        sent.push((body as { extRef: string }).extRef)
        return [200, ok({ id: `CID_${(body as { extRef: string }).extRef}` })]
      })
    await batch([
      engageIdentify(true, { userId: 'u1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } }),
      engageIdentify(true, { userId: 'u2', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(sent).toEqual(['u1', 'u2'])
    expect(nodes().map((n) => [n.status, n.body?.action, n.body?.contactId, n.body?.supersededBy])).toEqual([
      [200, 'added', 'CID_u1', undefined],
      [200, 'added', 'CID_u2', undefined]
    ])
  })

  it('one of two people sharing an email exits while the other enters: each gets their own change', async () => {
    directoriesWith({ ...EMAIL_DEDUP, externalDataReference: true, email: false })
    search('u1', ['CID_u1'])
    const removed = qualtrics().delete(`${LIST_CONTACTS}/CID_u1`).reply(200, ok({}))
    const added = qualtrics()
      .post(LIST_CONTACTS, (body) => body.extRef === 'u2')
      .reply(200, ok({ id: 'CID_u2' }))
    await batch([
      engageIdentify(false, { userId: 'u1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: false } }),
      engageIdentify(true, { userId: 'u2', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(removed.isDone() && added.isDone()).toBe(true)
    expect(nodes().map((n) => [n.status, n.body?.action, n.body?.contactId])).toEqual([
      [200, 'removed', 'CID_u1'],
      [200, 'added', 'CID_u2']
    ])
  })

  it('exit then enter adds', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    await batch([engageTrack(false), engageTrack(true)])
    expect(nodes().map((n) => n.body?.action)).toEqual(['added', 'added'])
    expect(nock.pendingMocks()).toEqual([])
  })

  it('bad events fail alone, before anything is sent; the others go on', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    await batch([
      engageIdentify('false', { userId: 'u-str', traits: { email: 's@x.co', [AUDIENCE_KEY]: 'false' } }),
      engageIdentify(true),
      engageIdentify(true, {
        userId: 'u-bad',
        traits: { email: 'b@x.co', [AUDIENCE_KEY]: true },
        context: { personas: personas({ external_audience_id: 'nope' }) }
      })
    ])
    expect(nodes().map((n) => [n.status, n.errortype])).toEqual([
      [400, 'INVALID_AUDIENCE_MEMBERSHIP'],
      [200, undefined],
      [400, 'PAYLOAD_VALIDATION_FAILED']
    ])
    expect(nodes()[0].errormessage).toMatch(/the string "false"/)
    expect(nodes()[0].sent).toBeUndefined()
    expect(nock.pendingMocks()).toEqual([])
  })

  it('a failed add is retryable for its event only', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2)
      .reply((_uri, body) =>
        (body as { extRef: string }).extRef === 'u1' ? [503, qualtricsError(503, 'busy')] : [200, ok({ id: 'CID_2' })]
      )
    await batch([
      engageIdentify(true, { userId: 'u1', traits: { email: 'u1@x.co', [AUDIENCE_KEY]: true } }),
      engageIdentify(true, { userId: 'u2', traits: { email: 'u2@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(nodes().map((n) => n.status)).toEqual([503, 200])
    expect(nodes()[0].sent).toEqual({ extRef: 'u1', email: 'u1@x.co' })
  })

  it('a passing 429 is retried once and the batch goes on', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(LIST_CONTACTS).reply(429, qualtricsError(429, 'slow down'), { 'retry-after': '0' })
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2) // the retry of the one answered 429, and the other person
      .reply((_uri, body) => [200, ok({ id: `CID_${(body as { extRef: string }).extRef}` })])
    await batch(
      [1, 2].map((n) =>
        engageIdentify(true, { userId: `u${n}`, traits: { email: `u${n}@x.co`, [AUDIENCE_KEY]: true } })
      )
    )
    expect(nodes().map((n) => [n.status, n.body?.action])).toEqual([
      [200, 'added'],
      [200, 'added']
    ])
    expect(nock.pendingMocks()).toEqual([])
  })

  it('once a request is still rate limited after its retry, the rest of the batch is not sent', async () => {
    directoriesWith(EMAIL_DEDUP)
    // Four people go out at once, each twice (the request and its one retry): nothing else may be sent.
    const limited = qualtrics()
      .post(LIST_CONTACTS)
      .times(8)
      .reply(429, qualtricsError(429, 'slow down'), { 'retry-after': '0' })
    await batch(
      [1, 2, 3, 4, 5, 6].map((n) =>
        engageIdentify(true, { userId: `u${n}`, traits: { email: `u${n}@x.co`, [AUDIENCE_KEY]: true } })
      )
    )
    expect(limited.isDone()).toBe(true)
    expect(nodes().map((n) => n.status)).toEqual([429, 429, 429, 429, 429, 429])
    expect(
      nodes()
        .slice(4)
        .map((n) => [n.errormessage, n.sent])
    ).toEqual([
      [expect.stringMatching(/^Not sent: Qualtrics rate-limited an earlier request of this batch/), undefined],
      [expect.stringMatching(/^Not sent/), undefined]
    ])
    expect(
      nodes()
        .slice(0, 4)
        .every((n) => isRetryableStatus(n.status) && n.sent !== undefined)
    ).toBe(true)
  })

  it('an undefined membership entry (no trait) is an InvalidAudienceMembershipError, never a 200', async () => {
    await batch([engageIdentify(undefined)])
    expect(nodes()[0]).toMatchObject({ status: 400, errortype: 'INVALID_AUDIENCE_MEMBERSHIP' })
  })
})
