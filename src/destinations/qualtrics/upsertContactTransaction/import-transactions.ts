import { IntegrationError, RetryableError } from '@segment/actions-core'
import type { JSONLikeObject } from '@segment/actions-core'
import { failed, inBatchOrder, settledAll, succeeded } from '../batching'
import type { Outcome, Settled } from '../batching'
import {
  cameFromQualtrics,
  describeRequestId,
  importDeadline,
  importTimeLeft,
  waitForImport,
  withAnswer
} from '../client'
import type { ImportWait, QualtricsClient } from '../client'
import { METRICS } from '../client/stats'
import type { ContactsState } from '../contacts/contacts-state'
import type { Payload } from './generated-types'
import { addTransactions } from './add-transactions'
import { chunkImports, prepareImportItems, requireDeduplication, transactionFields } from './import-records'
import type { ImportChunk, ImportItem, Rerouted } from './import-records'
import { joinNotes } from '../contacts/person-search'

interface ImportIds {
  importId: string
  transactionBatchId: string
}

const sentOf = (item: ImportItem) => item.record as unknown as JSONLikeObject

/** Settles every event of an item (a record, and any resend of it in the batch) with one outcome. */
function settleItem(settled: Settled, item: ImportItem, outcome: Outcome): void {
  for (const [index, itemOutcome] of settledAll(item.indices, outcome)) settled.set(index, itemOutcome)
}

/** How one import ended (for the import-job counter), and what it settled. */
interface ImportEnd {
  result: string
  settled: Settled
}

/** A record Qualtrics listed in `contacts.unprocessed`: it fails alone, final, with what Qualtrics documents. */
function unprocessedError(importId: string, position: number, requestId?: string): IntegrationError {
  const error = new IntegrationError(
    `Qualtrics did not import this record (import ${importId} lists record ${position} in contacts.unprocessed; ` +
      'it gives no reason per record and documents these: transactionData or embeddedData that is not an object, ' +
      `or a field of the wrong type) (${describeRequestId(requestId)})`,
    'RECORD_UNPROCESSED',
    400
  )
  return withAnswer(error, { importId, unprocessed: [position], requestId: requestId ?? null })
}

const RESEND_RISK =
  'directory deduplication merges a resend into the same contacts, but records Qualtrics did import gain their ' +
  'transaction again (segmentMessageId in the transaction data tells such copies apart).'

/**
 * A poll refused for good after Qualtrics took the import: final, since every retry would make a new batch and
 * import of the same transactions and be refused the same way. The import may have stored them: say so.
 */
function pollRefusedError(ids: ImportIds, wait: Extract<ImportWait, { kind: 'pollRefused' }>): IntegrationError {
  const why = (wait.error as Error).message ?? String(wait.error)
  const status = (wait.error as { status?: number }).status ?? 400
  const error = new IntegrationError(
    `Qualtrics took import ${ids.importId} but refused to report its status: ${why}. The import may have stored ` +
      `these records and their transactions (transaction batch ${ids.transactionBatchId}): check the directory ` +
      'before sending these events again. Not retried: a resend would import them once more, and its status ' +
      'could not be read either.',
    'IMPORT_STATUS_REFUSED',
    status
  )
  return withAnswer(error, { ...ids, status: 'unknown' })
}

/** Why a wait that ended without a complete import leaves the events retryable, in words a user can act on. */
function unfinishedError(ids: ImportIds, wait: Extract<ImportWait, { kind: 'failed' | 'timeout' }>): RetryableError {
  const { importId } = ids
  const resend = `Reported retryable: ${RESEND_RISK}`
  if (wait.kind === 'failed') {
    const error = new RetryableError(
      `Qualtrics reports import ${importId} failed (${describeRequestId(wait.status.requestId)}). ${resend}`,
      500
    )
    return withAnswer(error, { importId, status: 'failed' })
  }
  const done = wait.percentComplete === undefined ? 'no progress seen' : `${wait.percentComplete}% done`
  const error = new RetryableError(
    `Qualtrics had not finished import ${importId} after ${Math.round(wait.waitedMs / 1000)} s and ${wait.polls} ` +
      `status polls, when the batch's wait for its imports ran out (${done}` +
      `${wait.lastProblem ? `; last poll: ${wait.lastProblem}` : ''}). ${resend}`,
    504
  )
  return withAnswer(error, { importId, status: 'inProgress', percentComplete: wait.percentComplete ?? null })
}

/** An import of a list whose turn came after the batch's wait ran out: nothing was sent, so a retry is safe. */
function notSentError(deadlineMs: number): RetryableError {
  const seconds = Math.round(deadlineMs / 1000)
  return new RetryableError(
    `Not sent: the batch's wait for its imports (${seconds} s in all) ran out before this import's turn (Qualtrics ` +
      "processes a mailing list's imports one at a time). Nothing was sent for these events, so a retry is safe.",
    504
  )
}

/** A complete import whose counts are all 0: Qualtrics' documented sign of a directory, list or batch that is gone. */
function nothingImported(chunk: ImportChunk, importId: string, requestId?: string): IntegrationError {
  const error = new IntegrationError(
    `Qualtrics finished import ${importId} without adding, updating or failing any contact, which it documents as ` +
      `the sign of a directory (${chunk.directoryId}), mailing list (${chunk.mailingListId}) or transaction batch ` +
      `that does not exist (${describeRequestId(requestId)})`,
    'NOT_FOUND',
    404
  )
  return withAnswer(error, { importId, contacts: { count: { added: 0, updated: 0, failed: 0 } } })
}

/** What a complete import leaves unconfirmed about each success: its counts missing, or failures it did not name. */
function countNote(importId: string, request: string, noCounts: boolean, unnamed: number): string | undefined {
  if (noCounts) {
    return `Qualtrics reports import ${importId} complete without its counts (contacts.count), so this record's outcome is not confirmed (${request})`
  }
  if (unnamed > 0) {
    return `Qualtrics counted ${unnamed} record(s) of import ${importId} as failed without naming them; this one may be among them (${request})`
  }
  return undefined
}

/**
 * Maps a complete import back to its records: every count 0 fails them all; a record whose email Qualtrics lists as
 * invalid fails alone; the others succeed, with a note when Qualtrics counted failures it did not name (or when the
 * create's `contacts.unprocessed` could not all be read: `startNote`).
 */
function settleComplete(
  chunk: ImportChunk,
  items: ImportItem[],
  ids: ImportIds,
  wait: Extract<ImportWait, { kind: 'complete' }>,
  startNote?: string
): ImportEnd {
  const settled: Settled = new Map()
  const { counts, invalidEmails, requestId } = wait.status
  if (counts && counts.added + counts.updated + counts.failed === 0) {
    const error = nothingImported(chunk, ids.importId, requestId)
    for (const item of items) settleItem(settled, item, failed(error, sentOf(item)))
    return { result: 'nothing', settled }
  }
  const invalid = new Set(invalidEmails.map((email) => email.trim().toLowerCase()))
  const refused = new Set(items.filter((item) => item.record.email && invalid.has(item.record.email.toLowerCase())))
  const { importId } = ids
  const request = describeRequestId(requestId)
  for (const item of refused) {
    const { email } = item.record
    const error = new IntegrationError(
      `Qualtrics refused the email "${email}" as invalid in import ${importId} (${request})`,
      'INVALID_EMAIL',
      400
    )
    settleItem(settled, item, failed(withAnswer(error, { importId, invalidEmails }), sentOf(item)))
  }
  const unnamed = counts ? counts.failed - refused.size : 0
  const note = [startNote, countNote(importId, request, counts === undefined, unnamed)].filter(Boolean).join('. ')
  for (const item of items.filter((item) => !refused.has(item))) {
    settleItem(settled, item, succeeded(sentOf(item), { ...ids, contact: 'import', ...(note ? { note } : {}) }))
  }
  return { result: refused.size > 0 || unnamed > 0 ? 'partial' : 'complete', settled }
}

/** Fails every record of the chunk with `error`; `sent` when the records themselves went to Qualtrics. */
function failChunk(items: ImportItem[], error: unknown, sent: boolean, settled: Settled = new Map()): Settled {
  for (const item of items) settleItem(settled, item, failed(error, sent ? sentOf(item) : undefined))
  return settled
}

/**
 * One import: a transaction batch to hold its transactions, the import, then the wait, until the batch's `deadline`
 * (an import whose turn comes after it is not sent). A request that fails fails the chunk with its status; records
 * Qualtrics refuses at once fail alone; the rest settle with the wait.
 */
async function runImport(client: QualtricsClient, chunk: ImportChunk, deadline: number): Promise<ImportEnd> {
  const { directoryId, mailingListId, items } = chunk
  if (!importTimeLeft(client.state, deadline)) {
    return { result: 'notSent', settled: failChunk(items, notSentError(client.state.importPolling.deadlineMs), false) }
  }
  let transactionBatchId: string
  try {
    transactionBatchId = await client.createTransactionBatch(directoryId)
  } catch (error) {
    return { result: 'refused', settled: failChunk(items, error, false) }
  }
  let started: Awaited<ReturnType<QualtricsClient['startImport']>>
  try {
    const transactionMeta = { batchId: transactionBatchId, fields: transactionFields(items) }
    started = await client.startImport(directoryId, mailingListId, {
      transactionMeta,
      contacts: items.map((item) => item.record)
    })
  } catch (error) {
    return { result: 'refused', settled: failChunk(items, error, cameFromQualtrics(error)) }
  }
  const startedAt = client.state.clock.now()
  const { importId, requestId } = started
  const unprocessed = new Set(started.unprocessed)
  const settled: Settled = new Map()
  items.forEach((item, position) => {
    if (unprocessed.has(position))
      settleItem(settled, item, failed(unprocessedError(importId, position, requestId), sentOf(item)))
  })
  const rest = items.filter((_, position) => !unprocessed.has(position))
  if (rest.length === 0) return { result: 'partial', settled }
  const wait = await waitForImport(client, { directoryId, mailingListId, importId }, deadline, startedAt)
  client.stats.histogram(METRICS.importPolls, wait.polls)
  const ids = { importId, transactionBatchId }
  if (wait.kind === 'complete') {
    const end = settleComplete(chunk, rest, ids, wait, started.note)
    const result = unprocessed.size > 0 && end.result === 'complete' ? 'partial' : end.result
    return { result, settled: new Map([...settled, ...end.settled]) }
  }
  const error = wait.kind === 'pollRefused' ? pollRefusedError(ids, wait) : unfinishedError(ids, wait)
  return { result: wait.kind, settled: failChunk(rest, error, true, settled) }
}

/** Adds a sentence to a success's note (a failure says enough by itself). */
function noted(outcome: Outcome, sentence: string | undefined): Outcome {
  if (!outcome.ok || !sentence) return outcome
  const earlier = typeof outcome.body.note === 'string' ? outcome.body.note : undefined
  return { ...outcome, body: { ...outcome.body, note: joinNotes(earlier, sentence) as string } }
}

/**
 * The bulk-import path of a batch (the field "Bulk import"): events with a Contact ID go as transactions requests
 * (no lookup to save), and so do events an import could not be trusted with (import-records.ts `Rerouted`: their
 * results say why); the others become records of one import per directory and mailing list, which Qualtrics'
 * deduplication matches to contacts. Imports of different lists run side by side, those of one list one at a time
 * (Qualtrics processes a list's imports in turn), all within one deadline for the batch. Returns one outcome per
 * payload, in order.
 */
export async function importTransactions(
  client: QualtricsClient,
  state: ContactsState,
  payloads: Payload[]
): Promise<Outcome[]> {
  const deadline = importDeadline(client.state)
  const withId: Rerouted = new Map()
  for (const [index, payload] of payloads.entries()) if (payload.contactId?.trim()) withId.set(index, '')
  const candidates = payloads.flatMap((_, index) => (withId.has(index) ? [] : [index]))
  const prepared = prepareImportItems(payloads, candidates, client.state.clock.now())
  const checked = await requireDeduplication(client, state, prepared.items)
  const rerouted: Rerouted = new Map([...withId, ...prepared.rerouted, ...checked.rerouted])
  const direct = [...rerouted.keys()].sort((a, b) => a - b)
  const sent =
    direct.length > 0
      ? addTransactions(
          client,
          state,
          direct.map((index) => payloads[index])
        )
      : undefined
  const byList = new Map<string, ImportChunk[]>()
  for (const chunk of chunkImports(checked.items)) {
    const place = JSON.stringify([chunk.directoryId, chunk.mailingListId])
    byList.set(place, [...(byList.get(place) ?? []), chunk])
  }
  const imported = await Promise.all(
    [...byList.values()].map(async (chunks) => {
      const settled: Settled[] = []
      for (const chunk of chunks) {
        const end = await runImport(client, chunk, deadline)
        client.stats.incr(METRICS.importJob, [`result:${end.result}`])
        client.stats.histogram(METRICS.importRecords, chunk.items.length)
        settled.push(end.settled)
      }
      return settled
    })
  )
  const transactions: Settled = new Map(
    sent ? (await sent).map((outcome, i) => [direct[i], noted(outcome, rerouted.get(direct[i]))]) : []
  )
  return inBatchOrder(payloads.length, prepared.settled, checked.settled, ...imported.flat(), transactions)
}
