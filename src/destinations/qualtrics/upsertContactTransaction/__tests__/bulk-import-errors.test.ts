import {
  API_TOKEN,
  ERROR_STATUSES,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError
} from '../../__tests__/__helpers__/qualtrics'
import {
  BATCHES,
  batchCreated,
  bulkBatchOn,
  complete,
  directoryDeduplicatingOn,
  importAccepted,
  IMPORTS,
  person,
  POLLING,
  STATUS
} from '../../__tests__/__helpers__/bulk-import'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest({ importPolling: POLLING })
const bulkBatch = bulkBatchOn(instance)

describe('bulk import: Qualtrics errors', () => {
  it.each(ERROR_STATUSES)(
    'a $status on the import create fails its events with that status',
    async ({ status, retryable, text }) => {
      directoryDeduplicatingOn('email')
      batchCreated()
      const refused = qualtrics()
        .post(IMPORTS)
        .times(status === 429 ? 4 : 1)
        .reply(status, qualtricsError(status, 'bad thing'), { 'retry-after': '0' })
      const nodes = await bulkBatch([person(1), person(2)])
      expect(refused.isDone()).toBe(true)
      expect(nodes.map((n) => n.status)).toEqual([status, status])
      expect(isRetryableStatus(nodes[0].status)).toBe(retryable)
      expect(nodes[0].errormessage).toMatch(text)
      expect(nodes[0].errormessage).not.toContain(API_TOKEN)
      expect(nodes[0].sent).toMatchObject({ email: 'person1@example.com' })
    }
  )

  // A 404 is passed over too: Qualtrics documents a read-after-write lag, so the import may not be readable yet.
  it.each([
    [429, 4],
    [500, 1],
    [503, 1],
    [404, 2]
  ])('a %s on a poll is passed over (%s in a row here): the next poll decides', async (status, times) => {
    importAccepted()
    const polls = qualtrics()
      .get(STATUS)
      .times(times)
      .reply(status, qualtricsError(status, 'busy'), { 'retry-after': '0' })
      .get(STATUS)
      .reply(200, complete(1))
    const nodes = await bulkBatch([person(1)])
    expect(polls.isDone()).toBe(true)
    expect(nodes[0].status).toBe(200)
  })

  it.each([
    [503, /last poll: Qualtrics could not read the import status: Qualtrics is unavailable \(503\)/],
    [404, /last poll: Qualtrics could not read the import status: import PGR_import000001 was not found \(404\)/]
  ])('reports the events retryable (504) naming the last failure when every poll gets a %s', async (status, reason) => {
    importAccepted()
    qualtrics().persist().get(STATUS).reply(status, qualtricsError(status, 'down'))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(504)
    expect(nodes[0].errormessage).toMatch(reason)
  })

  it.each([400, 401, 403])(
    'a %s on a poll after the import was accepted is final: the import may have stored the records, so no resend',
    async (status) => {
      // One status reply only: a second poll would be an undeclared request, which fails the test.
      importAccepted()
      qualtrics().get(STATUS).reply(status, qualtricsError(status, 'no'))
      const nodes = await bulkBatch([person(1), person(2)])
      expect(nodes.map((n) => n.status)).toEqual([status, status])
      expect(isRetryableStatus(nodes[0].status)).toBe(false)
      expect(nodes[0].errormessage).toMatch(/took import PGR_import000001 but refused to report its status/)
      expect(nodes[0].errormessage).toMatch(
        /may have stored these records and their transactions \(transaction batch BT_batch000001\)/
      )
      expect(nodes[0].errormessage).toMatch(/Not retried/)
      expect(nodes[0].errormessage).not.toContain(API_TOKEN)
      expect(nodes[0].sent).toMatchObject({ email: 'person1@example.com' })
    }
  )

  it.each(ERROR_STATUSES)(
    'a $status on the transaction batch fails the events with it, and no import is sent',
    async ({ status, retryable, text }) => {
      // No import is declared: sending one would be an undeclared request, which fails the test.
      directoryDeduplicatingOn('email')
      const refused = qualtrics()
        .post(BATCHES)
        .times(status === 429 ? 4 : 1)
        .reply(status, qualtricsError(status, 'bad thing'), { 'retry-after': '0' })
      const nodes = await bulkBatch([person(1), person(2)])
      expect(refused.isDone()).toBe(true)
      expect(nodes.map((n) => n.status)).toEqual([status, status])
      expect(isRetryableStatus(nodes[0].status)).toBe(retryable)
      expect(nodes[0].errormessage).toMatch(/could not create a transaction batch/)
      expect(nodes[0].errormessage).toMatch(text)
      expect(nodes[0].errormessage).not.toContain(API_TOKEN)
      // The records themselves were never sent.
      expect(nodes[0].sent).toBeUndefined()
    }
  )

  it('reports the events retryable (504) when the transaction batch request times out, and sends no import', async () => {
    directoryDeduplicatingOn('email')
    qualtrics()
      .post(BATCHES)
      .delay(2000)
      .reply(200, ok({ id: 'BT_batch000001' }))
    const shortTimeout = qualtricsUnderTest({ requestTimeoutMs: 200, importPolling: POLLING }).testDestination
    const nodes = await bulkBatch([person(1)], {}, undefined, shortTimeout)
    expect(nodes[0].status).toBe(504)
    expect(isRetryableStatus(nodes[0].status)).toBe(true)
    expect(nodes[0].errormessage).toMatch(/could not create a transaction batch: no answer within 200 ms/)
  })
})
