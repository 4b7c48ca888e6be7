import { isRetryableStatus, ok, qualtrics } from '../../__tests__/__helpers__/qualtrics'
import {
  BATCHES,
  batchCreated,
  bulkBatchOn,
  complete,
  directoryDeduplicatingOn,
  importAccepted,
  importStarted,
  IMPORT_ID,
  IMPORTS,
  inProgress,
  person,
  POLLING,
  STATUS,
  statusAnswer
} from '../../__tests__/__helpers__/bulk-import'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest({ importPolling: POLLING })
const bulkBatch = bulkBatchOn(instance)

describe('bulk import: the import states', () => {
  it('sends one transaction batch and one import, polls until complete, and succeeds every event', async () => {
    directoryDeduplicatingOn('email')
    const batch = batchCreated()
    const started = importStarted([], (body) => {
      expect(body).toEqual({
        transactionMeta: { batchId: 'BT_batch000001', fields: ['orderId', 'segmentMessageId', 'transactionDate'] },
        contacts: [1, 2].map((n) => ({
          extRef: `user-${n}`,
          email: `person${n}@example.com`,
          transactionData: { orderId: `o-${n}`, segmentMessageId: `msg-${n}`, transactionDate: '2024-03-01T11:59:00Z' }
        }))
      })
      return true
    })
    const polls = qualtrics()
      .get(STATUS)
      .reply(200, inProgress(0))
      .get(STATUS)
      .reply(200, inProgress(50))
      .get(STATUS)
      .reply(200, complete(1, 1))
    const nodes = await bulkBatch([person(1), person(2)])
    expect([batch, started, polls].every((scope) => scope.isDone())).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([200, 200])
    expect(nodes[0].body).toEqual({ importId: IMPORT_ID, transactionBatchId: 'BT_batch000001', contact: 'import' })
    expect(nodes[1].sent).toMatchObject({ email: 'person2@example.com', transactionData: { orderId: 'o-2' } })
  })

  it('fails alone each record Qualtrics lists as unprocessed or whose email it names invalid; the rest succeed', async () => {
    importAccepted([1])
    qualtrics()
      .get(STATUS)
      .reply(200, complete(1, 0, 1, { invalidEmails: ['Bad@Example.com'] }))
    const nodes = await bulkBatch([person(0), person(1), person(2, 'bad@example.com')])
    expect(nodes.map((n) => n.status)).toEqual([200, 400, 400])
    expect(nodes[1].errormessage).toMatch(
      /did not import this record \(import PGR_import000001 lists record 1 in contacts\.unprocessed/
    )
    expect(nodes[1].body).toEqual({ importId: IMPORT_ID, unprocessed: [1], requestId: 'req-ok' })
    expect(nodes[2].errormessage).toMatch(/refused the email "bad@example.com" as invalid/)
    expect(nodes[0].body).not.toHaveProperty('note')
  })

  it('succeeds the others with a note when Qualtrics counts failures it does not name', async () => {
    importAccepted()
    const oneUnnamedFailure = complete(1, 0, 1)
    qualtrics().get(STATUS).reply(200, oneUnnamedFailure)
    const nodes = await bulkBatch([person(1), person(2)])
    expect(nodes.map((n) => n.status)).toEqual([200, 200])
    expect(nodes[0].body?.note).toMatch(
      /counted 1 record\(s\) of import PGR_import000001 as failed without naming them/
    )
  })

  it('says so on each success when contacts.unprocessed cannot be read', async () => {
    directoryDeduplicatingOn('email')
    batchCreated()
    qualtrics()
      .post(IMPORTS)
      .reply(200, ok({ id: IMPORT_ID, contacts: { unprocessed: 'some' } }))
    qualtrics().get(STATUS).reply(200, complete(1))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(200)
    expect(nodes[0].body?.note).toMatch(/contacts\.unprocessed was not a list of record indexes \("some"\)/)
  })

  it('polls no more once every record was refused at once', async () => {
    // No status reply is declared: a poll would be an undeclared request, which fails the test.
    importAccepted([0, 1])
    const nodes = await bulkBatch([person(1), person(2)])
    expect(nodes.map((n) => n.status)).toEqual([400, 400])
    expect(nodes.every((n) => /lists record \d in contacts\.unprocessed/.test(n.errormessage ?? ''))).toBe(true)
  })

  it('reports every event retryable (504) when the import is not finished within the wait, after a bounded number of polls', async () => {
    importAccepted()
    let polls = 0
    qualtrics()
      .persist()
      .get(STATUS)
      .reply(() => {
        polls++
        return [200, inProgress(35)]
      })
    const started = instance.clock.now()
    const nodes = await bulkBatch([person(1), person(2)])
    // The 400 ms wait bounds the call, however long the import would take.
    expect(instance.clock.now() - started).toBeLessThanOrEqual(POLLING.deadlineMs)
    expect(nodes.map((n) => n.status)).toEqual([504, 504])
    expect(isRetryableStatus(nodes[0].status)).toBe(true)
    expect(nodes[0].errormessage).toMatch(
      new RegExp(
        `had not finished import ${IMPORT_ID} after \\d+ s and ${polls} status polls, when the batch's wait for its imports ran out \\(35% done\\)`
      )
    )
    expect(nodes[0].errormessage).toMatch(/segmentMessageId/)
    // Pauses of 5, 10, 20 and then 40 ms within 400 ms: 12 polls, not a hundred.
    expect(polls).toBe(12)
  })

  it('keeps polling past malformed answers, and reports the last one when time runs out', async () => {
    importAccepted()
    qualtrics().persist().get(STATUS).reply(200, { result: {} })
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(504)
    expect(nodes[0].errormessage).toMatch(
      /last poll: Qualtrics answered a status request without the documented status/
    )
  })

  it('treats a malformed answer as passing: the next readable one decides', async () => {
    importAccepted()
    qualtrics()
      .get(STATUS)
      .reply(200, { result: { status: 'inProgress', percentComplete: 'lots' } })
      .get(STATUS)
      .reply(200, 'not json at all')
      .get(STATUS)
      .reply(200, complete(1))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(200)
  })

  it('reports every event retryable (500) when Qualtrics says the import failed', async () => {
    importAccepted()
    qualtrics()
      .get(STATUS)
      .reply(200, statusAnswer({ percentComplete: 20, status: 'failed' }))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0]).toMatchObject({ status: 500 })
    expect(nodes[0].errormessage).toMatch(/reports import PGR_import000001 failed/)
  })

  it('fails every record (final 404) when a complete import counts nothing: a directory, list or batch that is gone', async () => {
    importAccepted()
    qualtrics().get(STATUS).reply(200, complete(0))
    const nodes = await bulkBatch([person(1), person(2)])
    expect(nodes.map((n) => n.status)).toEqual([404, 404])
    expect(nodes[0].errormessage).toMatch(/without adding, updating or failing any contact/)
  })

  it('succeeds with a note when the complete answer has no counts', async () => {
    importAccepted()
    qualtrics()
      .get(STATUS)
      .reply(200, statusAnswer({ percentComplete: 100, status: 'complete' }))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(200)
    expect(nodes[0].body?.note).toMatch(/complete without its counts/)
  })

  it('fails every event with a final 422 when the import is accepted without an id, and polls nothing', async () => {
    directoryDeduplicatingOn('email')
    batchCreated()
    qualtrics()
      .post(IMPORTS)
      .reply(200, ok({ status: 'inProgress' }))
    const nodes = await bulkBatch([person(1), person(2)])
    expect(nodes.map((n) => n.status)).toEqual([422, 422])
    expect(nodes[0].errormessage).toMatch(/without an import id \(result\.id\) \(request id req-ok\)/)
  })
})

describe('bulk import: one wait for the whole batch', () => {
  // Two records of 3 MB each: one import each, since one import body is kept under 4.5 MB.
  const big = (n: number) => ({ ...person(n), properties: { orderId: `o-${n}`, blob: 'x'.repeat(3 * 1024 * 1024) } })

  it('does not send a second import of the list once the batch has spent its wait on the first', async () => {
    // Declared once: a second transaction batch or import would be an undeclared request, which fails the test.
    importAccepted()
    qualtrics().persist().get(STATUS).reply(200, inProgress(60))
    const nodes = await bulkBatch([big(1), big(2)])
    expect(nodes[0].status).toBe(504)
    expect(nodes[0].errormessage).toMatch(/had not finished import PGR_import000001/)
    expect(nodes[1].status).toBe(504)
    expect(isRetryableStatus(nodes[1].status)).toBe(true)
    expect(nodes[1].errormessage).toMatch(/^Not sent: the batch's wait for its imports \(\d+ s in all\) ran out/)
    expect(nodes[1].sent).toBeUndefined()
  })

  it('sends the second import when the first finishes in time, and both succeed', async () => {
    directoryDeduplicatingOn('email')
    qualtrics()
      .post(BATCHES)
      .times(2)
      .reply(200, ok({ id: 'BT_batch000001' }))
    const bodies: number[] = []
    qualtrics()
      .post(IMPORTS, (body) => bodies.push((body.contacts as unknown[]).length) > 0)
      .times(2)
      .reply(200, ok({ id: IMPORT_ID, contacts: { unprocessed: [] } }))
    qualtrics().get(STATUS).times(2).reply(200, complete(1))
    const nodes = await bulkBatch([big(1), big(2)])
    expect(bodies).toEqual([1, 1])
    expect(nodes.map((n) => n.status)).toEqual([200, 200])
  })
})
