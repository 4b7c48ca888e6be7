/**
 * Qualtrics' transaction contacts import (`…/mailinglists/{ml}/transactioncontacts`): its limits, what it takes and
 * answers, and how its status answers are read. The calls themselves are methods of QualtricsClient.
 */
import { describeType, requestIdOf } from './errors'
import type { ContactBody, EmbeddedValue } from './types'

/** Qualtrics' documented limits for one import: 10,000 contacts and a 5 MB JSON body. */
export const IMPORT_RECORD_LIMIT = 10_000
export const IMPORT_BODY_LIMIT_BYTES = 5 * 1024 * 1024
/** What the destination lets one import body reach: under the limit, so that a miscount of framing never reaches it. */
export const IMPORT_BODY_BUDGET_BYTES = 4.5 * 1024 * 1024

/** One contact of an import, with the transaction it gains. */
export interface ImportRecord extends ContactBody {
  transactionData?: Record<string, EmbeddedValue>
}

/** The import's body: `transactionMeta` is required when any record has `transactionData`. */
export interface ImportRequest {
  transactionMeta?: { batchId: string; fields: string[] }
  contacts: ImportRecord[]
}

/** What the create call answers: the import's id and the records Qualtrics refused at once (their indexes). */
export interface ImportStarted {
  importId: string
  unprocessed: number[]
  requestId?: string
  /** Set when `contacts.unprocessed` was not a list of record indexes: some refusals may be unknown. */
  note?: string
}

export interface ImportCounts {
  added: number
  updated: number
  failed: number
}

/** One status answer, read: still running, finished (with its counts when Qualtrics gave them), failed, or unreadable. */
export type ImportStatus =
  | { state: 'inProgress'; percentComplete: number; requestId?: string }
  | {
      state: 'complete'
      percentComplete: number
      counts?: ImportCounts
      transactionsCreated?: number
      invalidEmails: string[]
      requestId?: string
    }
  | { state: 'failed'; percentComplete?: number; requestId?: string }
  | { state: 'unreadable'; why: string; requestId?: string }

const COMPLETE: ReadonlySet<string> = new Set(['complete', 'completed'])
const FAILED: ReadonlySet<string> = new Set(['failed', 'error', 'aborted', 'cancelled', 'canceled'])

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Qualtrics documents `percentComplete` as a float; a numeric string is read too. */
function percentOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined
}

const countOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined

function countsOf(result: Record<string, unknown>): ImportCounts | undefined {
  const count = isObject(result.contacts) && isObject(result.contacts.count) ? result.contacts.count : undefined
  if (!count) return undefined
  const [added, updated, failed] = [countOf(count.added), countOf(count.updated), countOf(count.failed)]
  return added === undefined || updated === undefined || failed === undefined ? undefined : { added, updated, failed }
}

/** A status answer (`GET …/transactioncontacts/{importId}`) as one of the states above; never throws. */
export function readImportStatus(data: unknown): ImportStatus {
  const requestId = requestIdOf(data)
  const result = isObject(data) ? data.result : undefined
  if (!isObject(result)) return { state: 'unreadable', why: `its result is ${describeType(result)}`, requestId }
  const status = typeof result.status === 'string' ? result.status.trim().toLowerCase() : undefined
  const percentComplete = percentOf(result.percentComplete)
  if (status !== undefined && FAILED.has(status)) return { state: 'failed', percentComplete, requestId }
  if (status === undefined)
    return { state: 'unreadable', why: `its status is ${describeType(result.status)}`, requestId }
  if (percentComplete === undefined) {
    return { state: 'unreadable', why: `its percentComplete is ${describeType(result.percentComplete)}`, requestId }
  }
  if (!COMPLETE.has(status)) return { state: 'inProgress', percentComplete, requestId }
  const created =
    isObject(result.transactions) && isObject(result.transactions.count)
      ? countOf(result.transactions.count.created)
      : undefined
  const invalidEmails = Array.isArray(result.invalidEmails)
    ? result.invalidEmails.filter((email): email is string => typeof email === 'string')
    : []
  return {
    state: 'complete',
    percentComplete,
    counts: countsOf(result),
    transactionsCreated: created,
    invalidEmails,
    requestId
  }
}

/**
 * The create call's answer: the import id (undefined when missing, which the caller cannot go on without) and the
 * indexes in `contacts.unprocessed`. Indexes that name no record sent are dropped, with a note.
 */
export function readImportStarted(
  data: unknown,
  recordCount: number
): { importId?: string; unprocessed: number[]; note?: string } {
  const result = isObject(data) && isObject(data.result) ? data.result : {}
  const importId = typeof result.id === 'string' && result.id.trim() !== '' ? result.id : undefined
  const listed = isObject(result.contacts) ? result.contacts.unprocessed : undefined
  if (listed === undefined || listed === null) return { importId, unprocessed: [] }
  const entries = Array.isArray(listed) ? listed : [listed]
  const unprocessed = entries.filter(
    (index): index is number => Number.isInteger(index) && (index as number) >= 0 && (index as number) < recordCount
  )
  const shownList = JSON.stringify(listed).slice(0, 120)
  const readCount = unprocessed.length
  const note =
    unprocessed.length === entries.length && Array.isArray(listed)
      ? undefined
      : `contacts.unprocessed was not a list of record indexes (${shownList}): only ${readCount} of its entries could be read`
  return { importId, unprocessed: [...new Set(unprocessed)], ...(note ? { note } : {}) }
}
