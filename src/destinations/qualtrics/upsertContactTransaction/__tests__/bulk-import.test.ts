import type { SegmentEvent, StatsContext } from '@segment/actions-core'
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
import { purchase, statsMock, transactionsBatch } from '../../__tests__/__helpers__/transactions'
import type { StatusNode } from '../../__tests__/__helpers__/transactions'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import type { TestDestination } from '../../__tests__/__helpers__/instance'

// The batch's wait for its imports and the pauses between polls are on the instance's test clock: a whole wait of
// 400 ms passes in no real time, and a test sees the same polls however busy the machine is.
const POLLING = { deadlineMs: 400, firstPollMs: 5, maxPollMs: 40 }
const instance = instanceForEachTest({ importPolling: POLLING })

const DIR = `/API/v3/directories/${DIRECTORY}`
const BATCHES = `${DIR}/transactionbatches`
const IMPORTS = `${DIR}/mailinglists/${MAILING_LIST}/transactioncontacts`
const IMPORT_ID = 'PGR_import000001'
const STATUS = `${IMPORTS}/${IMPORT_ID}`
const BULK = { bulkImport: true }

type Node = StatusNode & { errortype?: string; sent?: Record<string, unknown> }

/** A minute before the test clock's now: within the window of events an import takes (import-dates.test.ts). */
const RECENT = '2024-03-01T11:59:00.000Z'
const person = (n: number, email = `person${n}@example.com`) => ({
  ...purchase(n, { email }, `user-${n}`),
  timestamp: RECENT
})

/** GET /directories: the test directory, deduplicating on the given fields (none: no deduplication). */
function directoryDeduplicatingOn(...fields: string[]) {
  const criteria = Object.fromEntries(fields.map((field) => [field, true]))
  return qualtrics()
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: criteria }], nextPage: null }))
}

const batchCreated = () =>
  qualtrics()
    .post(
      BATCHES,
      (body) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body.creationDate) && body.transactionIds.length === 0
    )
    .reply(200, ok({ id: 'BT_batch000001' }))

const importStarted = (unprocessed: number[] = [], body?: (body: Record<string, unknown>) => boolean) =>
  qualtrics()
    .post(IMPORTS, body ?? (() => true))
    .reply(
      200,
      ok({
        id: IMPORT_ID,
        contacts: { unprocessed },
        tracking: { url: `https://elsewhere.example/${IMPORT_ID}` },
        status: 'inProgress'
      })
    )

const statusAnswer = (result: Record<string, unknown>) => ok(result)
const inProgress = (percentComplete = 40) => statusAnswer({ percentComplete, status: 'inProgress' })
const complete = (added: number, updated = 0, failed = 0, extra: Record<string, unknown> = {}) =>
  statusAnswer({
    percentComplete: 100,
    status: 'complete',
    contacts: { count: { added, updated, failed } },
    transactions: { count: { created: added + updated } },
    ...extra
  })

/** The usual start of an import: deduplication on email, a batch, the import (with any unprocessed records). */
function importAccepted(unprocessed: number[] = []) {
  directoryDeduplicatingOn('email')
  batchCreated()
  importStarted(unprocessed)
}

const bulkBatch = (
  events: Partial<SegmentEvent>[],
  mapping: Record<string, unknown> = {},
  statsContext?: StatsContext,
  destination: TestDestination = instance.testDestination
) =>
  transactionsBatch(destination, events, { ...BULK, ...mapping }, statsContext ? { statsContext } : {}) as Promise<
    Node[]
  >

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

describe('bulk import: what it refuses and what it sends otherwise', () => {
  it('refuses every event, naming the setting, when the directory does not deduplicate; nothing else is sent', async () => {
    const listing = directoryDeduplicatingOn()
    const nodes = await bulkBatch([person(1), person(2)])
    expect(listing.isDone()).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([400, 400])
    expect(nodes[0].errormessage).toMatch(/^Bulk import needs directory POOL_abc123 to deduplicate contacts/)
    expect(nodes[0].errormessage).toMatch(/Directory settings → Automatic deduplication/)
    expect(nodes[0].errormessage).toMatch(/turn "Bulk import" off/)
  })

  it('refuses every event when the directory deduplicates only on names, which no resend can rely on', async () => {
    directoryDeduplicatingOn('firstName', 'lastName')
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(400)
    expect(nodes[0].errormessage).toMatch(/and it deduplicates only on First Name and Last Name: an import sent again/)
  })

  it('fails the events with a final 404 when the credentials cannot list the directory', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [], nextPage: null }))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(404)
    expect(nodes[0].errormessage).toMatch(/Directory POOL_abc123 is not among the directories/)
  })

  it('refuses alone an event without a field the directory deduplicates on, and imports the others', async () => {
    // Qualtrics would create such a record as a new contact (no merge rule applies), so it must never be sent.
    directoryDeduplicatingOn('email')
    batchCreated()
    const imported = importStarted([], (body) => {
      expect((body.contacts as { extRef: string }[]).map((c) => c.extRef)).toEqual(['user-1'])
      return true
    })
    qualtrics().get(STATUS).reply(200, complete(1))
    const nodes = await bulkBatch([person(1), { ...purchase(2, {}, 'user-2'), timestamp: RECENT }])
    expect(imported.isDone()).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([200, 400])
    expect(nodes[1].sent).toBeUndefined()
    expect(nodes[1].errormessage).toMatch(/deduplicates contacts on Email, and this event has no Email/)
  })

  it('fails a bad event alone before anything is sent for it: a date that does not exist, a blank message id', async () => {
    importAccepted()
    qualtrics().get(STATUS).reply(200, complete(1))
    const nodes = await bulkBatch([
      person(1),
      { ...person(2), timestamp: '2024-02-30T10:00:00Z' },
      { ...person(3), messageId: '   ' }
    ])
    expect(nodes.map((n) => n.status)).toEqual([200, 400, 400])
    expect(nodes[1].errormessage).toMatch(/that day or time does not exist/)
    expect(nodes[2].errormessage).toMatch(/Transaction key \(Message ID\) is missing/)
    expect(nodes[1].sent).toBeUndefined()
  })

  it('refuses a record bigger than one import can take, alone', async () => {
    importAccepted()
    qualtrics().get(STATUS).reply(200, complete(1))
    const huge = { ...person(2), properties: { blob: 'x'.repeat(5 * 1024 * 1024) } }
    const nodes = await bulkBatch([person(1), huge])
    expect(nodes.map((n) => n.status)).toEqual([200, 400])
    expect(nodes[1].errormessage).toMatch(/import record is \d+ bytes; one import takes at most 5 MB/)
  })

  it('sends an event with a Contact ID as a transaction, and a resent event (same message id) once', async () => {
    directoryDeduplicatingOn('email')
    batchCreated()
    const imported = importStarted([], (body) => {
      expect((body.contacts as unknown[]).map((c) => (c as { email: string }).email)).toEqual(['person1@example.com'])
      return true
    })
    qualtrics().get(STATUS).reply(200, complete(1))
    const direct = qualtrics()
      .post(
        `${DIR}/transactions`,
        (body) => Object.keys(body).join() === 'msg-9' && body['msg-9'].contactId === 'CID_9'
      )
      .reply(200, ok({ createdTransactions: { 'msg-9': { id: 'CTR_9' } } }))
    const withId = { ...person(9), properties: { orderId: 'o-9', contactId: 'CID_9' } }
    const nodes = await bulkBatch([person(1), withId, person(1)], { contactId: { '@path': '$.properties.contactId' } })
    expect(imported.isDone() && direct.isDone()).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([200, 200, 200])
    expect(nodes[1].body).toMatchObject({ transactionId: 'CTR_9', contact: 'given' })
    expect(nodes[2].body).toEqual(nodes[0].body)
  })

  it('leaves single events (no batch) to the request path', async () => {
    const search = qualtrics()
      .post(`${DIR}/contacts/search?pageSize=100`)
      .reply(200, ok({ elements: [{ id: 'CID_1' }] }))
    const sent = qualtrics()
      .post(`${DIR}/transactions`)
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await instance.testDestination.testAction('upsertContactTransaction', {
      event: person(1) as SegmentEvent,
      settings: { apiToken: API_TOKEN, datacenter: 'iad1' },
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, ...BULK },
      useDefaultMappings: true
    })
    expect(search.isDone() && sent.isDone()).toBe(true)
  })

  it('counts import jobs, their records and polls, and the import requests by endpoint', async () => {
    const stats = statsMock()
    importAccepted()
    qualtrics().get(STATUS).reply(200, inProgress()).get(STATUS).reply(200, complete(2))
    await bulkBatch([person(1), person(2)], {}, stats as unknown as StatsContext)
    const { incr, histogram } = stats.statsClient
    expect(incr).toHaveBeenCalledWith('qualtrics.import_job', 1, ['env:test', 'result:complete'])
    expect(histogram).toHaveBeenCalledWith('qualtrics.import_records', 2, ['env:test'])
    expect(histogram).toHaveBeenCalledWith('qualtrics.import_polls', 2, ['env:test'])
    for (const endpoint of ['transactionbatches.create', 'imports.create', 'imports.get']) {
      expect(incr).toHaveBeenCalledWith('qualtrics.request', 1, ['env:test', `endpoint:${endpoint}`, 'status:200'])
    }
  })
})
