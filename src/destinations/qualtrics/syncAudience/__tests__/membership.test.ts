import nock from 'nock'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, qualtricsError, settings } from '../../__tests__/__helpers__/qualtrics'
import {
  AUDIENCE_KEY,
  DIR,
  directoriesWith,
  EMAIL_DEDUP,
  failure,
  engageIdentify,
  engageTrack,
  LIST,
  LIST_CONTACTS
} from '../../__tests__/__helpers__/audience'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'
import { search, syncAudienceOn } from '../../__tests__/__helpers__/sync-audience'

const instance = instanceForEachTest()
const { run, lastData } = syncAudienceOn(instance)

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
