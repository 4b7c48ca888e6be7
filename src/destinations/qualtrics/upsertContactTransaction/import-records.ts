import { PayloadValidationError } from '@segment/actions-core'
import { failed, settledAll } from '../batching'
import type { Settled } from '../batching'
import { IMPORT_BODY_BUDGET_BYTES, IMPORT_BODY_LIMIT_BYTES, IMPORT_RECORD_LIMIT } from '../client'
import type { ImportRecord, QualtricsClient } from '../client'
import { checkPathId } from '../client'
import type { ContactsState } from '../contacts/contacts-state'
import { deduplicationOf, readingsNote, ruleCoverage } from '../contacts/deduplication'
import type { DeduplicationNeed } from '../contacts/deduplication'
import { buildContactBody } from '../contacts/contact-fields'
import type { Payload } from './generated-types'
import { packRequests } from '../packing'
import { prepareTransaction } from './transaction'

/** The key in each record's transaction data that carries the transaction's date (ISO 8601, UTC). */
export const IMPORT_DATE_KEY = 'transactionDate'

/** One record of an import: the event it came from, and any later event of the batch with the same key (a resend). */
export interface ImportItem {
  indices: number[]
  directoryId: string
  mailingListId: string
  key: string
  record: ImportRecord
  bytes: number
}

/** The records of one import: one directory and mailing list, within Qualtrics' limits. */
export interface ImportChunk {
  directoryId: string
  mailingListId: string
  items: ImportItem[]
}

/** The transactions API's `YYYY-MM-DD HH:mm:ss` (UTC) as ISO 8601, the form Qualtrics' imports read dates in. */
const isoDate = (transactionDate: string) => `${transactionDate.replace(' ', 'T')}Z`

/**
 * How far from now an event's transaction date may be for it to be imported. Nothing says an import reads a date
 * from `transactionData` (research notes §16): its transactions are most likely dated when it runs, so only events
 * this close to now go into one; older ones (replays, backfills) and ones further ahead go through the transactions
 * call, which carries the date.
 */
export const IMPORT_DATE_WINDOW_MS = 10 * 60 * 1000

/** Events the bulk path sends as transactions instead of importing them, each with the sentence that says why. */
export type Rerouted = Map<number, string>

function outsideWindow(transactionDate: string, now: number): string | undefined {
  const off = Date.parse(isoDate(transactionDate)) - now
  if (Math.abs(off) <= IMPORT_DATE_WINDOW_MS) return undefined
  const minutes = Math.round(Math.abs(off) / 60_000)
  const when = off < 0 ? `${minutes} minutes old` : `${minutes} minutes ahead of now`
  return `Its transaction date is ${when}, and an import most likely dates its transactions when it runs: so it was sent as a transaction, which carries the date, not imported (Bulk import takes events within ${
    IMPORT_DATE_WINDOW_MS / 60_000
  } minutes of now).`
}

/** What a step of the bulk path made of its events: records to import, events to send as transactions, failures. */
export interface ImportSorting {
  items: ImportItem[]
  rerouted: Rerouted
  settled: Settled
}

/**
 * Checks each event as the request path does (a bad one fails alone) and makes its import record: the contact
 * fields, and the transaction as `transactionData` with its date and the message id. Events of the batch with the
 * same key, directory and list (a resend) share one record. An event dated too far from `now` is rerouted instead
 * (IMPORT_DATE_WINDOW_MS).
 */
export function prepareImportItems(payloads: Payload[], indices: number[], now: number): ImportSorting {
  const [rerouted, settled]: [Rerouted, Settled] = [new Map(), new Map()]
  const items = new Map<string, ImportItem>()
  for (const index of indices) {
    const payload = payloads[index]
    try {
      const { key, entry } = prepareTransaction(payload, index)
      const dated = outsideWindow(entry.transactionDate, now)
      if (dated) {
        rerouted.set(index, dated)
        continue
      }
      const directoryId = checkPathId(payload.directoryId, 'Directory ID')
      const place = JSON.stringify([directoryId, entry.mailingListId, key])
      const resent = items.get(place)
      if (resent) {
        resent.indices.push(index)
        continue
      }
      const record: ImportRecord = {
        ...buildContactBody(payload),
        transactionData: { ...entry.data, [IMPORT_DATE_KEY]: isoDate(entry.transactionDate) }
      }
      const bytes = Buffer.byteLength(JSON.stringify(record))
      if (bytes > IMPORT_BODY_BUDGET_BYTES) {
        throw new PayloadValidationError(
          `The event's import record is ${bytes} bytes; one import takes at most 5 MB (${IMPORT_BODY_LIMIT_BYTES} bytes), and the destination keeps each under ${IMPORT_BODY_BUDGET_BYTES}. Turn "Bulk import" off for such events.`
        )
      }
      items.set(place, { indices: [index], directoryId, mailingListId: entry.mailingListId, key, record, bytes })
    } catch (error) {
      settled.set(index, failed(error))
    }
  }
  return { items: [...items.values()], rerouted, settled }
}

/** An import sent again (after a poll ran out of time) must merge into the contacts the first one made. */
const IMPORT_NEEDS: DeduplicationNeed = {
  what: 'Bulk import',
  risk: 'an import sent again would create every contact again',
  otherwise: 'turn "Bulk import" off'
}

/**
 * Keeps the items whose directory deduplicates on an identifier and on fields each record has (GET /directories,
 * read as the audience path reads it: once per directory every 10 minutes). A record with a flagged identifier but
 * not every flagged field is matched only if the directory's flags are one rule each, which Qualtrics does not say:
 * it goes to `rerouted`, to be sent as a transaction (search, then create), which is right under either reading. The
 * others fail alone, saying which setting or field is missing.
 */
export async function requireDeduplication(
  client: QualtricsClient,
  state: ContactsState,
  items: ImportItem[]
): Promise<ImportSorting> {
  const [kept, rerouted, settled]: [ImportItem[], Rerouted, Settled] = [[], new Map(), new Map()]
  for (const item of items) {
    try {
      const deduplicatedOn = await deduplicationOf(client, state.deduplication, item.directoryId)
      const coverage = ruleCoverage(item.directoryId, deduplicatedOn, item.record, IMPORT_NEEDS)
      if (coverage.missing.length === 0) kept.push(item)
      else {
        const why = `${readingsNote(
          coverage
        )}; so it was sent as a transaction (the person searched for, then created if not found), not imported: an import could make a second contact.`
        for (const index of item.indices) rerouted.set(index, why)
      }
    } catch (error) {
      for (const [index, outcome] of settledAll(item.indices, failed(error))) settled.set(index, outcome)
    }
  }
  return { items: kept, rerouted, settled }
}

/** The distinct transaction-data keys of some records: what `transactionMeta.fields` lists. */
export function transactionFields(items: ImportItem[]): string[] {
  return [...new Set(items.flatMap((item) => Object.keys(item.record.transactionData ?? {})))]
}

/** `{"transactionMeta":{"batchId":"BT_…","fields":[]},"contacts":[]}` with room to spare. */
const IMPORT_FRAMING_BYTES = 256

/**
 * Items in imports of one directory and mailing list each, in batch order, within 10,000 records and the body
 * budget (counting the records, the commas between them, and each key `transactionMeta.fields` lists).
 */
export function chunkImports(items: ImportItem[]): ImportChunk[] {
  const byPlace = new Map<string, ImportItem[]>()
  for (const item of items) {
    const place = JSON.stringify([item.directoryId, item.mailingListId])
    byPlace.set(place, [...(byPlace.get(place) ?? []), item])
  }
  const limits = {
    maxItems: IMPORT_RECORD_LIMIT,
    maxBytes: IMPORT_BODY_BUDGET_BYTES,
    framingBytes: IMPORT_FRAMING_BYTES,
    separatorBytes: 1
  }
  const cost = {
    bytesOf: (item: ImportItem) => item.bytes,
    namesOf: (item: ImportItem) => Object.keys(item.record.transactionData ?? {})
  }
  return [...byPlace.values()].flatMap((placed) =>
    packRequests(placed, limits, cost).map((packed) => ({
      directoryId: packed[0].directoryId,
      mailingListId: packed[0].mailingListId,
      items: packed
    }))
  )
}
