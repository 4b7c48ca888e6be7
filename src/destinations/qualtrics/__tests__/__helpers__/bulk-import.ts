import type { SegmentEvent, StatsContext } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics } from './qualtrics'
import { DIR, purchase, transactionsBatch } from './transactions'
import type { StatusNode } from './transactions'
import type { QualtricsUnderTest, TestDestination } from './instance'

// The batch's wait for its imports and the pauses between polls are on the instance's test clock: a whole wait of
// 400 ms passes in no real time, and a test sees the same polls however busy the machine is.
export const POLLING = { deadlineMs: 400, firstPollMs: 5, maxPollMs: 40 }

export const BATCHES = `${DIR}/transactionbatches`
export const IMPORTS = `${DIR}/mailinglists/${MAILING_LIST}/transactioncontacts`
export const IMPORT_ID = 'PGR_import000001'
export const STATUS = `${IMPORTS}/${IMPORT_ID}`
export const BULK = { bulkImport: true }

type Node = StatusNode & { errortype?: string; sent?: Record<string, unknown> }

/** A minute before the test clock's now: within the window of events an import takes (import-dates.test.ts). */
export const RECENT = '2024-03-01T11:59:00.000Z'
export const person = (n: number, email = `person${n}@example.com`) => ({
  ...purchase(n, { email }, `user-${n}`),
  timestamp: RECENT
})

/** GET /directories: the test directory, deduplicating on the given fields (none: no deduplication). */
export function directoryDeduplicatingOn(...fields: string[]) {
  const criteria = Object.fromEntries(fields.map((field) => [field, true]))
  return qualtrics()
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: criteria }], nextPage: null }))
}

export const batchCreated = () =>
  qualtrics()
    .post(
      BATCHES,
      (body) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body.creationDate) && body.transactionIds.length === 0
    )
    .reply(200, ok({ id: 'BT_batch000001' }))

export const importStarted = (unprocessed: number[] = [], body?: (body: Record<string, unknown>) => boolean) =>
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

export const statusAnswer = (result: Record<string, unknown>) => ok(result)
export const inProgress = (percentComplete = 40) => statusAnswer({ percentComplete, status: 'inProgress' })
export const complete = (added: number, updated = 0, failed = 0, extra: Record<string, unknown> = {}) =>
  statusAnswer({
    percentComplete: 100,
    status: 'complete',
    contacts: { count: { added, updated, failed } },
    transactions: { count: { created: added + updated } },
    ...extra
  })

/** The usual start of an import: deduplication on email, a batch, the import (with any unprocessed records). */
export function importAccepted(unprocessed: number[] = []) {
  directoryDeduplicatingOn('email')
  batchCreated()
  importStarted(unprocessed)
}

/** A bulk-import batch of upsertContactTransaction on the instance (or on another destination). */
export function bulkBatchOn(instance: QualtricsUnderTest) {
  return (
    events: Partial<SegmentEvent>[],
    mapping: Record<string, unknown> = {},
    statsContext?: StatsContext,
    destination: TestDestination = instance.testDestination
  ) =>
    transactionsBatch(destination, events, { ...BULK, ...mapping }, statsContext ? { statsContext } : {}) as Promise<
      Node[]
    >
}
