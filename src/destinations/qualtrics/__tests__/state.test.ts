import definition, { createQualtrics, createState } from '..'
import { DIRECTORY, ok, qualtrics } from './__helpers__/qualtrics'
import { ACCESS_TOKEN, oauthSettings, SECOND_TOKEN, tokenEndpoint, withBearer } from './__helpers__/oauth'
import { qualtricsUnderTest } from './__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  isSearch,
  purchase,
  searchesMissing,
  transactionsBatch
} from './__helpers__/transactions'

// Everything an instance keeps lives in its own state (state.ts): two instances in one process share none of it.

describe('two destination instances', () => {
  it('share no cache, lock or limit', () => {
    const [a, b] = [createState(), createState()]
    const kept = Object.entries(a).filter(([, value]) => typeof value === 'object' && value !== null)
    expect(kept.map(([key]) => key).sort()).toEqual([
      'accessTokens',
      'clock',
      'contacts',
      'deduplication',
      'identifierLocks',
      'importPolling',
      'scopeRefusals',
      'tokenFetches',
      'workflowLimits'
    ])
    for (const [key, value] of kept) {
      // The clock and the polling times are immutable, and may be one; everything that changes is the instance's own.
      if (key === 'clock' || key === 'importPolling') expect(Object.isFrozen(value)).toBe(true)
      else expect(b[key as keyof typeof b]).not.toBe(value)
    }
  })

  it('a contact one instance created is unknown to the other: it searches for it itself', async () => {
    const [a, b] = [qualtricsUnderTest(), qualtricsUnderTest()]
    searchesMissing([['extRef', 'user-1']])
    qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    acceptTransactions(3)
    const [first] = await transactionsBatch(a.testDestination, [purchase(1, {})])
    expect(first.body).toMatchObject({ contactId: 'CID_1', contact: 'created' })
    const [again] = await transactionsBatch(a.testDestination, [purchase(2, {})])
    expect(again.body).toMatchObject({ contactId: 'CID_1', contact: 'cached' })

    // The other instance has not seen the person: it searches, and Qualtrics answers the contact A created.
    const search = qualtrics()
      .post(isSearch, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
      .reply(200, ok({ elements: [{ id: 'CID_1', extRef: 'user-1' }] }))
    const [elsewhere] = await transactionsBatch(b.testDestination, [purchase(3, {})])
    expect(search.isDone()).toBe(true)
    expect(elsewhere.body).toMatchObject({ contactId: 'CID_1', contact: 'extRef' })
  })

  it("one instance's OAuth token is not used by the other: each fetches its own", async () => {
    const [first, second] = [qualtricsUnderTest(), qualtricsUnderTest()]
    const upsert = (instance: typeof first) =>
      instance.testDestination.testAction('upsertContact', {
        event: { type: 'identify', userId: 'u1' },
        settings: oauthSettings,
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
    tokenEndpoint().reply(200, { access_token: ACCESS_TOKEN, expires_in: 3600, token_type: 'Bearer' })
    withBearer(ACCESS_TOKEN)
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .times(2)
      .reply(200, ok({ id: 'CID_1' }))
    await upsert(first)
    await upsert(first)
    tokenEndpoint().reply(200, { access_token: SECOND_TOKEN, expires_in: 3600, token_type: 'Bearer' })
    const own = withBearer(SECOND_TOKEN)
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .reply(200, ok({ id: 'CID_1' }))
    await upsert(second)
    expect(own.isDone()).toBe(true)
  })

  it('the default export is one more instance, made once: the only state made when the module loads', () => {
    expect(createQualtrics()).not.toBe(definition)
    expect(Object.keys(createQualtrics().actions)).toEqual(Object.keys(definition.actions))
  })
})
