import type { StateContext, StatsContext } from '@segment/actions-core'
import { StateContactLevel, TwoLevelContactCache } from '../contact-levels'
import { API_TOKEN, DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  isSearch,
  purchase,
  runtimeState,
  searchesMissing,
  TRANSACTIONS,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'

const instance = instanceForEachTest()
afterEach(() => expect(instance.state.identifierLocks.size).toBe(0))
/** Another process: another instance, which shares nothing with this one but the runtime's state. */
const elsewhere = () => qualtricsUnderTest().testDestination

const entry = (contactId: string) => JSON.stringify({ c: contactId, e: 'user-9' })
const grace = (n: number) => purchase(n, { email: 'grace@example.com' }, 'user-9')

/** A first invocation that creates the person as CID_old; answers the state it leaves. */
async function createPerson(): Promise<ReturnType<typeof runtimeState>> {
  const state = runtimeState()
  searchesMissing([
    ['extRef', 'user-9'],
    ['email', 'grace@example.com']
  ])
  qualtrics()
    .post(CONTACTS)
    .reply(200, ok({ id: 'CID_old' }))
  acceptTransactions()
  const [node] = await transactionsBatch(instance.testDestination, [grace(1)], {}, { stateContext: state })
  expect(node.body).toMatchObject({ contactId: 'CID_old', contact: 'created' })
  return state
}

describe('the second cache level (stateContext)', () => {
  it('is written after a resolution, by extRef and by email, for as long as the memory level keeps it', async () => {
    const state = await createPerson()
    expect(state.setResponseContext).toHaveBeenCalledTimes(2)
    for (const [key, value, ttl] of state.setResponseContext.mock.calls) {
      expect(key).toMatch(/^qualtrics\.contact:[\w-]{43}$/)
      expect(value).toBe(entry('CID_old'))
      expect(ttl).toEqual({ second: 3600 })
    }
    // Keys are digests: no email, no token, nothing of the account goes to the runtime's store.
    const handedOver = JSON.stringify(state.setResponseContext.mock.calls)
    expect(handedOver).not.toMatch(/grace|example\.com|iad1/)
    expect(handedOver).not.toContain(API_TOKEN)
  })

  it('is read on a memory miss (another process): no search is made', async () => {
    const first = await createPerson()
    const seen: string[][] = []
    acceptTransactions(1, seen)
    const second = runtimeState(first.written)
    // No search is declared: one would fail the test.
    const [node] = await transactionsBatch(elsewhere(), [grace(2)], {}, { stateContext: second })
    expect(node.body).toMatchObject({ contactId: 'CID_old', contact: 'cached' })
    expect(seen).toEqual([['CID_old']])
    expect(second.getRequestContext).toHaveBeenCalled()
    // Only read: nothing new was learnt, so nothing is written back.
    expect(second.setResponseContext).not.toHaveBeenCalled()
  })

  it('a contact it remembers that Qualtrics says is gone is dropped from both levels and resolved once more', async () => {
    const first = await createPerson()
    const second = runtimeState(first.written)
    const secondProcess = elsewhere()
    const stale = qualtrics()
      .post(TRANSACTIONS, (body) => body['msg-2']?.contactId === 'CID_old')
      .reply(200, {
        ...ok({
          createdTransactions: {},
          unprocessedTransactions: {
            'msg-2': { error: 'INVALID_TRANSACTION', errorMessage: `Contact CID_old does not exist in ${DIRECTORY}.` }
          }
        })
      })
    const lookups = searchesMissing([['extRef', 'user-9']])
    qualtrics()
      .post(isSearch, { filter: { filterType: 'email', comparison: 'eq', value: 'grace@example.com' } })
      .reply(200, ok({ elements: [{ id: 'CID_merged', extRef: 'user-9' }] }))
    const seen: string[][] = []
    acceptTransactions(1, seen)
    const [node] = await transactionsBatch(secondProcess, [grace(2)], {}, { stateContext: second })
    expect(node).toMatchObject({ status: 200, body: { contactId: 'CID_merged', contact: 'email' } })
    expect(stale.isDone() && lookups[0].isDone()).toBe(true)
    // Forgotten (written empty) first, then the new contact under both keys.
    const values = second.setResponseContext.mock.calls.map(([, value]) => value)
    expect(values.indexOf('')).toBeLessThan(values.indexOf(entry('CID_merged')))
    expect([...second.written.values()]).toEqual([entry('CID_merged'), entry('CID_merged')])

    // The memory level holds the new contact, even where the state still says CID_old.
    acceptTransactions(1, seen)
    const [again] = await transactionsBatch(
      secondProcess,
      [grace(3)],
      {},
      { stateContext: runtimeState(first.written) }
    )
    expect(again.body).toMatchObject({ contactId: 'CID_merged', contact: 'cached' })
    // And another process reads the new contact from the state.
    acceptTransactions(1, seen)
    const [third] = await transactionsBatch(elsewhere(), [grace(4)], {}, { stateContext: runtimeState(second.written) })
    expect(third.body).toMatchObject({ contactId: 'CID_merged', contact: 'cached' })
    expect(seen).toEqual([['CID_merged'], ['CID_merged'], ['CID_merged']])
  })

  it('a forgotten key is not read back from the state the invocation began with', () => {
    const state = runtimeState(new Map())
    const level = new StateContactLevel(state as StateContext)
    level.set('k', { contactId: 'CID_gone' })
    const cache = new TwoLevelContactCache(instance.state.contacts, new StateContactLevel(runtimeState(state.written)))
    expect(cache.get('k')).toEqual({ contactId: 'CID_gone' })
    cache.delete('k')
    expect(cache.get('k')).toBeUndefined()
    cache.set('k', { contactId: 'CID_new' })
    expect(cache.get('k')).toEqual({ contactId: 'CID_new' })
  })

  it('ignores what it cannot read: not a string, not JSON, no contact id', () => {
    const stored = new Map([
      ['a', '{"c":'],
      ['b', '{"e":"x"}'],
      ['c', '']
    ])
    const level = new StateContactLevel({
      getRequestContext: (k: string) => stored.get(k),
      setResponseContext: () => {}
    })
    for (const key of ['a', 'b', 'c', 'd']) expect(level.get(key)).toBeUndefined()
    expect(StateContactLevel.of({} as StateContext)).toBeUndefined()
    expect(StateContactLevel.of(undefined)).toBeUndefined()
  })

  it('an empty stateContext and statsContext (testAction passes {}) change nothing', async () => {
    searchesMissing([['extRef', 'user-9']])
    qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    acceptTransactions()
    instance.testDestination.responses.splice(0)
    const responses = await instance.testDestination.testAction('upsertContactTransaction', {
      event: grace(1),
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, matchContactBy: ['extRef'] },
      useDefaultMappings: true,
      stateContext: {} as StateContext,
      statsContext: {} as StatsContext
    })
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
  })
})
