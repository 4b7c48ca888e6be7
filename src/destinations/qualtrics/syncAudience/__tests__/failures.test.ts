import nock from 'nock'
import {
  API_TOKEN,
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  MAILING_LIST,
  ok,
  qualtrics,
  qualtricsError
} from '../../__tests__/__helpers__/qualtrics'
import {
  AUDIENCE_KEY,
  DIR,
  directoriesWith,
  EMAIL_DEDUP,
  failure,
  engageIdentify,
  LIST,
  LIST_CONTACTS,
  personas,
  SEARCH
} from '../../__tests__/__helpers__/audience'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import { search, syncAudienceOn } from '../../__tests__/__helpers__/sync-audience'
import type { ErrorStatusRow } from '../../__tests__/__helpers__/qualtrics'

const instance = instanceForEachTest()
const { run } = syncAudienceOn(instance)

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
