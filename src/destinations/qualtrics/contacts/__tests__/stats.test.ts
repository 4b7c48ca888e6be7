import type { StateContext, StatsContext } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, qualtricsError, settings } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  isSearch,
  purchase,
  runtimeState,
  searchesMissing,
  statsMock,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'

const instance = instanceForEachTest()

const grace = (n: number) => purchase(n, { email: 'grace@example.com' }, 'user-9')
const request = (endpoint: string, status: number) => [
  'qualtrics.request',
  1,
  ['env:test', `endpoint:${endpoint}`, `status:${status}`]
]
const cache = (level: string, result: string) => [
  'qualtrics.contact_cache',
  1,
  ['env:test', `level:${level}`, `result:${result}`]
]

describe('counters (statsContext)', () => {
  it('counts requests by endpoint and status, cache misses then hits at each level, and the batch size', async () => {
    const stats = statsMock()
    const state = runtimeState()
    searchesMissing([
      ['extRef', 'user-9'],
      ['email', 'grace@example.com']
    ])
    qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    acceptTransactions()
    await transactionsBatch(
      instance.testDestination,
      [grace(1), grace(2)],
      {},
      { stateContext: state, statsContext: stats as StatsContext }
    )
    const { incr, histogram } = stats.statsClient
    expect(incr.mock.calls.filter(([name]) => name === 'qualtrics.request')).toEqual([
      request('contacts.search', 200),
      request('contacts.search', 200),
      request('contacts.create', 200),
      request('transactions.create', 200)
    ])
    expect(incr).toHaveBeenCalledWith(...cache('memory', 'miss'))
    expect(incr).toHaveBeenCalledWith(...cache('state', 'miss'))
    expect(incr).not.toHaveBeenCalledWith(...cache('memory', 'hit'))
    expect(histogram).toHaveBeenCalledWith('qualtrics.batch_size', 2, ['env:test', 'action:upsertContactTransaction'])

    // Same instance: memory hit. Another instance (another process): memory miss, state hit.
    acceptTransactions(2)
    await transactionsBatch(
      instance.testDestination,
      [grace(3)],
      {},
      { stateContext: runtimeState(state.written), statsContext: stats as StatsContext }
    )
    expect(incr).toHaveBeenCalledWith(...cache('memory', 'hit'))
    await transactionsBatch(
      qualtricsUnderTest().testDestination,
      [grace(4)],
      {},
      { stateContext: runtimeState(state.written), statsContext: stats as StatsContext }
    )
    expect(incr).toHaveBeenCalledWith(...cache('state', 'hit'))
  })

  it('counts a 429 with its endpoint, and as a request with that status', async () => {
    const stats = statsMock()
    qualtrics().post(isSearch).reply(429, qualtricsError(429, 'slow down'))
    await expect(
      instance.testDestination.testAction('upsertContactTransaction', {
        event: grace(1),
        settings,
        mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST },
        useDefaultMappings: true,
        statsContext: stats as StatsContext,
        stateContext: {} as StateContext
      })
    ).rejects.toMatchObject({ status: 429 })
    expect(stats.statsClient.incr).toHaveBeenCalledWith('qualtrics.rate_limited', 1, [
      'env:test',
      'endpoint:contacts.search'
    ])
    expect(stats.statsClient.incr).toHaveBeenCalledWith(...request('contacts.search', 429))
  })

  it('counts each action’s batch size and its requests', async () => {
    const stats = statsMock()
    qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    await instance.testDestination.testBatchAction('upsertContact', {
      events: [{ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } }],
      settings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true,
      statsContext: stats as StatsContext
    })
    expect(stats.statsClient.incr).toHaveBeenCalledWith(...request('contacts.create', 200))
    expect(stats.statsClient.histogram).toHaveBeenCalledWith('qualtrics.batch_size', 1, [
      'env:test',
      'action:upsertContact'
    ])
  })
})
