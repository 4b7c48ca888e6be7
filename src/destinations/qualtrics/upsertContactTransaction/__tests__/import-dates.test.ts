import { DIRECTORY, MAILING_LIST, ok, qualtrics } from '../../__tests__/__helpers__/qualtrics'
import {
  CONTACTS,
  DIR,
  purchase,
  searchesMissing,
  TRANSACTIONS,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'
import { TEST_START } from '../../__tests__/__helpers__/clock'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

// Nothing says a transaction-contacts import reads a transaction date from transactionData: imported transactions
// are most likely dated at import time (research notes §16). So only events whose date is close to now go into an
// import; older ones (replays, backfills) and ones far ahead go through the transactions call, which carries it.

const instance = instanceForEachTest({ importPolling: { deadlineMs: 400, firstPollMs: 5, maxPollMs: 40 } })
const IMPORTS = `${DIR}/mailinglists/${MAILING_LIST}/transactioncontacts`
const at = (msFromStart: number) => new Date(TEST_START + msFromStart).toISOString()
const MINUTE = 60_000

const directoryOnEmail = () =>
  qualtrics()
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { email: true } }], nextPage: null }))

/** A new contact and its dated transaction, through the transactions call. */
function sentAsTransaction(n: number, date: string) {
  searchesMissing([
    ['extRef', `user-${n}`],
    ['email', `person${n}@example.com`]
  ])
  qualtrics()
    .post(CONTACTS)
    .reply(200, ok({ id: `CID_${n}` }))
  return qualtrics()
    .post(TRANSACTIONS, (body: Record<string, { transactionDate?: string }>) =>
      Object.values(body).every((entry) => entry.transactionDate === date)
    )
    .reply(200, (_uri, body) =>
      ok({ createdTransactions: Object.fromEntries(Object.keys(body as object).map((k) => [k, { id: `T-${k}` }])) })
    )
}

function imported(count: number) {
  qualtrics()
    .post(`${DIR}/transactionbatches`)
    .reply(200, ok({ id: 'BT_batch000001' }))
  qualtrics()
    .post(IMPORTS, (body: { contacts: unknown[] }) => body.contacts.length === count)
    .reply(200, ok({ id: 'PGR_import000001', contacts: { unprocessed: [] }, status: 'inProgress' }))
  qualtrics()
    .get(`${IMPORTS}/PGR_import000001`)
    .reply(
      200,
      ok({
        percentComplete: 100,
        status: 'complete',
        contacts: { count: { added: count, updated: 0, failed: 0 } },
        transactions: { count: { created: count } }
      })
    )
}

const person = (n: number, timestamp: string) => ({
  ...purchase(n, { email: `person${n}@example.com` }, `user-${n}`),
  timestamp
})

describe('bulk import and the transaction date', () => {
  it('an event two hours old goes through the transactions call with its date, and says why', async () => {
    const dated = sentAsTransaction(1, '2024-03-01 10:00:00')
    const [node] = await transactionsBatch(instance.testDestination, [person(1, at(-120 * MINUTE))], {
      bulkImport: true
    })
    expect(dated.isDone()).toBe(true)
    expect(node).toMatchObject({
      status: 200,
      body: { contactId: 'CID_1', note: expect.stringMatching(/not imported/) }
    })
  })

  it('an event far ahead of now goes through the transactions call too', async () => {
    sentAsTransaction(1, '2024-03-01 13:00:00')
    const [node] = await transactionsBatch(instance.testDestination, [person(1, at(60 * MINUTE))], { bulkImport: true })
    expect(node).toMatchObject({ status: 200, body: { contactId: 'CID_1' } })
  })

  it('a batch splits: events of the last minutes are imported, an older one goes as a transaction', async () => {
    directoryOnEmail()
    imported(2)
    sentAsTransaction(3, '2024-03-01 09:00:00')
    const nodes = await transactionsBatch(
      instance.testDestination,
      [person(1, at(-1 * MINUTE)), person(2, at(-2 * MINUTE)), person(3, at(-180 * MINUTE))],
      { bulkImport: true }
    )
    expect(nodes).toMatchObject([
      { status: 200, body: { contact: 'import' } },
      { status: 200, body: { contact: 'import' } },
      { status: 200, body: { contactId: 'CID_3' } }
    ])
  })
})
