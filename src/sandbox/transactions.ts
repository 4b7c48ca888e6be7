import type { EmbeddedValue } from './contact-fields'
import { badRequest } from './errors'
import { isObject, newId } from './plain-object'

export interface StoredTransaction {
  id: string
  key: string
  contactId: string
  mailingListId: string
  transactionDate: string
  data: Record<string, EmbeddedValue>
  createdAt: string
  /** Stored, but the response saying so was withheld (a `timeout` fault): the caller could not know. */
  responseLost?: boolean
}

/** What a transaction may refer to in its directory. */
export interface TransactionTargets {
  directoryId: string
  hasContact(contactId: string): boolean
  hasMailingList(mailingListId: string): boolean
}

const TRANSACTION_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const TRANSACTION_KEYS = ['contactId', 'mailingListId', 'transactionDate', 'data']

function isValidTransactionDate(value: unknown): boolean {
  const match = typeof value === 'string' ? TRANSACTION_DATE.exec(value) : null
  if (!match) return false
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number)
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60
}

/** Why a transaction entry would be refused, or undefined when Qualtrics would create it. */
function transactionProblem(targets: TransactionTargets, entry: unknown): string | undefined {
  if (!isObject(entry)) return 'The transaction must be an object.'
  if (typeof entry.contactId !== 'string' || !targets.hasContact(entry.contactId)) {
    return `Contact ${String(entry.contactId)} does not exist in directory ${targets.directoryId}.`
  }
  if (typeof entry.mailingListId !== 'string' || !targets.hasMailingList(entry.mailingListId)) {
    return `Mailing list ${String(entry.mailingListId)} does not exist in directory ${targets.directoryId}.`
  }
  if (!isValidTransactionDate(entry.transactionDate)) {
    return `transactionDate ${JSON.stringify(entry.transactionDate)} is not a date in the format YYYY-MM-DD HH:MM:SS.`
  }
  if (entry.data !== undefined) {
    if (!isObject(entry.data)) return 'data must be an object.'
    for (const [name, value] of Object.entries(entry.data)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        return `Transaction data "${name}" must be a string, number or boolean.`
      }
    }
  }
  const unknown = Object.keys(entry).find((key) => !TRANSACTION_KEYS.includes(key))
  return unknown ? `Unrecognized field "${unknown}".` : undefined
}

/**
 * Checks each entry of a transactions request on its own: the good ones become transactions, the others come back
 * unprocessed with a reason.
 */
export function buildTransactions(targets: TransactionTargets, body: unknown) {
  if (!isObject(body) || Object.keys(body).length === 0) {
    throw badRequest('The request body must be a non-empty object of transactions keyed by your own ids.')
  }
  const created: StoredTransaction[] = []
  const createdTransactions: Record<string, { id: string }> = {}
  const unprocessedTransactions: Record<string, { error: string; errorMessage: string }> = {}
  for (const [key, entry] of Object.entries(body)) {
    const problem = transactionProblem(targets, entry)
    if (problem) {
      unprocessedTransactions[key] = { error: 'INVALID_TRANSACTION', errorMessage: problem }
      continue
    }
    const valid = entry as Omit<StoredTransaction, 'id' | 'key' | 'createdAt'>
    const transaction: StoredTransaction = {
      id: newId('CTR'),
      key,
      contactId: valid.contactId,
      mailingListId: valid.mailingListId,
      transactionDate: valid.transactionDate,
      data: { ...valid.data },
      createdAt: new Date().toISOString()
    }
    created.push(transaction)
    createdTransactions[key] = { id: transaction.id }
  }
  return { created, response: { createdTransactions, unprocessedTransactions } }
}
