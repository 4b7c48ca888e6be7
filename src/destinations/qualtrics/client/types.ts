/** Shapes of what Qualtrics API v3 takes and answers, as far as this destination uses them. */

/** The settings the client reads: an API token, an OAuth client (ID and secret), or both. */
export interface QualtricsAuth {
  apiToken?: string
  datacenter: string
  clientId?: string
  clientSecret?: string
  /** Adds the erasure scope to OAuth tokens. */
  erasePersonalData?: boolean
}

/** One page of a listing or search: the next comes as a full `nextPage` URL, or as a `skipToken` to send back. */
export interface Page<T> {
  elements: T[]
  nextPage?: string | null
  skipToken?: string
}

export interface Envelope<T> {
  result?: T
}

export interface Directory {
  directoryId: string
  name?: string
  contactCount?: number
  isDefault?: boolean
  deduplicationCriteria?: Record<string, boolean>
}

export interface MailingList {
  mailingListId: string
  name?: string
}

export interface WhoAmI {
  userName?: string
  userId?: string
  brandId?: string
  datacenter?: string
}

/** A contact as this destination reads it from Qualtrics' answers (contact-record.ts reads every naming). */
export interface ContactRecord {
  id: string
  extRef?: string
  email?: string
  phone?: string
  firstName?: string
  lastName?: string
  /** ISO text or epoch milliseconds, as Qualtrics gives it. */
  creationDate?: string | number
  embeddedData?: Record<string, EmbeddedValue>
}

export type EmbeddedValue = string | number | boolean
export interface ContactBody {
  extRef?: string
  email?: string
  phone?: string
  firstName?: string
  lastName?: string
  language?: string
  unsubscribed?: boolean
  embeddedData?: Record<string, EmbeddedValue>
}

export type SearchableIdentifier = 'extRef' | 'email' | 'phone'

export interface TransactionEntry {
  contactId: string
  mailingListId: string
  transactionDate: string
  data: Record<string, EmbeddedValue>
}

export interface TransactionsResult {
  createdTransactions?: Record<string, { id?: string }>
  unprocessedTransactions?: Record<string, { error?: string; errorMessage?: string }>
}

/** What `createTransactions` gives back: the result (redacted), Qualtrics' request id, and a note when neither map came. */
export interface TransactionsAnswer extends TransactionsResult {
  requestId?: string
  note?: string
}
