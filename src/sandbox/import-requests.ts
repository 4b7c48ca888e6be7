/**
 * What the import endpoints take, checked as Qualtrics documents it: the body of a transaction contacts import
 * (request-level refusals are a 400; a record that breaks a rule is left out and listed in `contacts.unprocessed`),
 * and the body of a transaction batch.
 */
import { validateContactBody } from './contact-fields'
import type { EmbeddedValue } from './contact-fields'
import { badRequest } from './errors'
import { isObject } from './plain-object'
import type { SeedContact } from './seed-types'

/** Qualtrics' documented limit on contacts per import (the 5 MB body limit is the server's, for every API call). */
export const IMPORT_RECORD_LIMIT = 10_000
/** The transaction-data key a record's transaction date is read from (ISO 8601); the sandbox's reading. */
export const IMPORT_DATE_KEY = 'transactionDate'

/** A record that passed the checks: its place in the request, its contact fields, its transaction. */
export interface AcceptedRecord {
  position: number
  contact: SeedContact
  transaction?: { date?: string; data: Record<string, EmbeddedValue> }
}

export interface ImportAsk {
  batchId?: string
  records: AcceptedRecord[]
  unprocessed: number[]
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/

/** An ISO 8601 date with a zone as the transactions API's `YYYY-MM-DD HH:MM:SS` (UTC); undefined when it is not one. */
export function transactionDateOf(value: unknown): string | undefined {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null
  if (!match) return undefined
  const date = new Date(value as string)
  const [year, month, day] = match.slice(1, 4).map(Number)
  // `Date` would roll 2024-02-30 into March: a day that does not exist is not a date.
  const local = new Date(Date.UTC(year, month - 1, day))
  if (Number.isNaN(date.getTime()) || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return undefined
  return date.toISOString().slice(0, 19).replace('T', ' ')
}

/** Why one record is left out (an entry of `contacts.unprocessed`), or its accepted form. */
function acceptRecord(entry: unknown, position: number, fields: Set<string>): AcceptedRecord | undefined {
  if (!isObject(entry)) return undefined
  const { transactionData, ...contactFields } = entry
  try {
    const contact = validateContactBody(contactFields)
    if (transactionData === undefined) return { position, contact }
    if (!isObject(transactionData)) return undefined
    const data: Record<string, EmbeddedValue> = {}
    for (const [key, value] of Object.entries(transactionData)) {
      if (!fields.has(key) || !['string', 'number', 'boolean'].includes(typeof value)) return undefined
      if (key !== IMPORT_DATE_KEY) data[key] = value as EmbeddedValue
    }
    const rawDate = transactionData[IMPORT_DATE_KEY]
    const date = rawDate === undefined ? undefined : transactionDateOf(rawDate)
    if (rawDate !== undefined && date === undefined) return undefined
    return { position, contact, transaction: { data, ...(date ? { date } : {}) } }
  } catch {
    return undefined
  }
}

/**
 * `{transactionMeta?: {batchId, fields}, contacts: [...]}`: a request that breaks a documented rule (no contacts,
 * more than 10,000, transaction data without `transactionMeta`) is a 400; a record that breaks one is listed as
 * unprocessed and the others go on. A transaction-data key not in `transactionMeta.fields` leaves its record out.
 */
export function parseImportRequest(body: unknown): ImportAsk {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object with a contacts list.')
  const { contacts, transactionMeta } = body
  const unknown = Object.keys(body).find((key) => key !== 'contacts' && key !== 'transactionMeta')
  if (unknown !== undefined) throw badRequest(`Unrecognized field "${unknown}".`)
  if (!Array.isArray(contacts) || contacts.length === 0) throw badRequest('contacts must be a non-empty list.')
  if (contacts.length > IMPORT_RECORD_LIMIT) {
    throw badRequest(`An import takes at most ${IMPORT_RECORD_LIMIT} contacts; this one has ${contacts.length}.`)
  }
  const hasTransactions = contacts.some((contact) => isObject(contact) && contact.transactionData !== undefined)
  if (hasTransactions && transactionMeta === undefined) {
    throw badRequest('transactionMeta is required when a contact has transactionData.')
  }
  let batchId: string | undefined
  let fields = new Set<string>()
  if (transactionMeta !== undefined) {
    const meta = isObject(transactionMeta) ? transactionMeta : {}
    if (typeof meta.batchId !== 'string' || meta.batchId === '') {
      throw badRequest('transactionMeta.batchId must name a transaction batch (BT_…).')
    }
    if (!Array.isArray(meta.fields) || meta.fields.some((field) => typeof field !== 'string')) {
      throw badRequest('transactionMeta.fields must be a list of the transaction data keys.')
    }
    batchId = meta.batchId
    fields = new Set(meta.fields as string[])
  }
  const records: AcceptedRecord[] = []
  const unprocessed: number[] = []
  contacts.forEach((entry, position) => {
    const record = acceptRecord(entry, position, fields)
    if (record) records.push(record)
    else unprocessed.push(position)
  })
  return { batchId, records, unprocessed }
}

const BATCH_DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/

/**
 * `{transactionIds: [...] (may be empty), creationDate}`: 24-hour UTC, and a time zone is refused, as Qualtrics
 * documents. One working client sends `createdDate`; the sandbox takes either.
 */
export function parseTransactionBatchRequest(body: unknown): { transactionIds: string[]; creationDate: string } {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object.')
  const ids = body.transactionIds ?? []
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
    throw badRequest('transactionIds must be a list of transaction ids.')
  }
  const date = body.creationDate ?? body.createdDate
  if (typeof date !== 'string') throw badRequest('creationDate is required (24-hour UTC, YYYY-MM-DDTHH:MM:SS).')
  if (!BATCH_DATE.test(date)) {
    throw badRequest(`creationDate "${date.slice(0, 40)}" is not YYYY-MM-DDTHH:MM:SS (24-hour UTC, no time zone).`)
  }
  return { transactionIds: ids as string[], creationDate: date.replace(' ', 'T') }
}
