/**
 * Transaction contacts imports and transaction batches. An import is a job that works through its records over the
 * sandbox clock: nothing for a start delay, then a steady number of records a second. Each record is created with
 * the directory's deduplication as a contact create is (a matched contact is updated and gains another
 * transaction), gets its transaction (kept in the import's transaction batch) and becomes a member of the mailing
 * list. Jobs move on whenever the sandbox is asked anything, so the state and the status calls agree.
 */
import type { ContactBook } from './contact-book'
import type { EmbeddedValue } from './contact-fields'
import { notFound } from './errors'
import type { AcceptedRecord, ImportAsk } from './import-requests'
import { newId } from './plain-object'
import type { StoredTransaction } from './transactions'

/** The sandbox's pace (Qualtrics publishes none): a second of sandbox time before a job starts, then 200 records/s. */
export const IMPORT_START_DELAY_MS = 1000
export const IMPORT_RECORDS_PER_SECOND = 200

/** What an import reaches in its directory; the store gives it. */
export interface ImportDirectory {
  contacts: ContactBook
  hasMailingList(mailingListId: string): boolean
  addTransaction(transaction: StoredTransaction): void
  /** Makes the contact a member of the list (idempotent for a member already). */
  addToMailingList(mailingListId: string, contactId: string): void
}

export interface TransactionBatch {
  id: string
  directoryId: string
  creationDate: string
  transactionIds: string[]
  responseLost?: boolean
}

export interface ImportJob {
  importId: string
  directoryId: string
  mailingListId: string
  batchId?: string
  /** Sandbox clock: when the job was created, and when its first record is due. */
  createdAt: number
  startsAt: number
  /** Records accepted for processing, and how many of them are done. */
  total: number
  done: number
  unprocessed: number[]
  counts: { added: number; updated: number; failed: number }
  transactionsCreated: number
  invalidEmails: string[]
  contactIds: string[]
  status: 'inProgress' | 'complete'
  /** Set when the directory, mailing list or batch did not exist: the job completes with every count 0. */
  targetMissing?: string
  responseLost?: boolean
}

// A simple shape check: the sandbox refuses what is plainly not an address, as Qualtrics' invalidEmails does.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

const percent = (job: ImportJob) => (job.total === 0 ? 100 : Math.floor((job.done / job.total) * 10_000) / 100)

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>()
  private readonly pending = new Map<string, AcceptedRecord[]>()
  private readonly batches = new Map<string, TransactionBatch>()

  constructor(
    private readonly now: () => number,
    private readonly directoryOf: (directoryId: string) => ImportDirectory | undefined
  ) {}

  createBatch(directoryId: string, ask: { transactionIds: string[]; creationDate: string }): TransactionBatch {
    if (!this.directoryOf(directoryId)) throw notFound(`Directory ${directoryId} not found.`)
    const batch = { id: newId('BT'), directoryId, ...ask, transactionIds: [...ask.transactionIds] }
    this.batches.set(batch.id, batch)
    return batch
  }

  /** A new job. A missing directory, list or batch is not refused: the job completes with every count 0. */
  start(directoryId: string, mailingListId: string, ask: ImportAsk): ImportJob {
    const directory = this.directoryOf(directoryId)
    const batch = ask.batchId === undefined ? undefined : this.batches.get(ask.batchId)
    const targetMissing = !directory
      ? `directory ${directoryId}`
      : !directory.hasMailingList(mailingListId)
        ? `mailing list ${mailingListId}`
        : ask.batchId !== undefined && batch?.directoryId !== directoryId
          ? `transaction batch ${ask.batchId}`
          : undefined
    const createdAt = this.now()
    const job: ImportJob = {
      importId: newId('PGR'),
      directoryId,
      mailingListId,
      ...(ask.batchId === undefined ? {} : { batchId: ask.batchId }),
      createdAt,
      startsAt: createdAt + IMPORT_START_DELAY_MS,
      total: targetMissing ? 0 : ask.records.length,
      done: 0,
      unprocessed: ask.unprocessed,
      counts: { added: 0, updated: 0, failed: 0 },
      transactionsCreated: 0,
      invalidEmails: [],
      contactIds: [],
      status: 'inProgress',
      ...(targetMissing ? { targetMissing } : {})
    }
    this.jobs.set(job.importId, job)
    this.pending.set(job.importId, targetMissing ? [] : ask.records)
    return job
  }

  /** A job as the status call sees it (moved on to now); a 404 for an id this directory and list never started. */
  status(directoryId: string, mailingListId: string, importId: string) {
    this.advance()
    const job = this.jobs.get(importId)
    if (!job || job.directoryId !== directoryId || job.mailingListId !== mailingListId) {
      throw notFound(`Import ${importId} not found.`)
    }
    return {
      percentComplete: this.now() < job.startsAt ? 0 : percent(job),
      contacts: { count: { ...job.counts } },
      transactions: { count: { created: job.transactionsCreated } },
      invalidEmails: [...job.invalidEmails],
      status: job.status
    }
  }

  /** Works every job through the records due by now, each at its own moment of the sandbox clock. */
  advance(): void {
    const now = this.now()
    for (const job of this.jobs.values()) {
      if (job.status === 'complete' || now < job.startsAt) continue
      const records = this.pending.get(job.importId) ?? []
      const due = Math.min(job.total, Math.floor(((now - job.startsAt) * IMPORT_RECORDS_PER_SECOND) / 1000))
      for (; job.done < due; job.done++) {
        this.apply(job, records[job.done], job.startsAt + ((job.done + 1) * 1000) / IMPORT_RECORDS_PER_SECOND)
      }
      if (job.done === job.total) {
        job.status = 'complete'
        this.pending.delete(job.importId)
      }
    }
  }

  markResponseLost(ids: Set<string>): void {
    for (const record of [...this.jobs.values(), ...this.batches.values()]) {
      if (ids.has('importId' in record ? record.importId : record.id)) record.responseLost = true
    }
  }

  snapshot() {
    this.advance()
    return { imports: [...this.jobs.values()], transactionBatches: [...this.batches.values()] }
  }

  /**
   * One record at `at` (sandbox clock): an address that is plainly not one fails and is counted; the others are
   * created, or merged where a rule matches (a record no rule can apply to is a new contact, as with a contact
   * create), gain their transaction and join the list.
   */
  private apply(job: ImportJob, record: AcceptedRecord, at: number): void {
    const directory = this.directoryOf(job.directoryId)!
    const { contact } = record
    if (contact.email !== undefined && !EMAIL.test(contact.email)) {
      job.counts.failed++
      job.invalidEmails.push(contact.email)
      return
    }
    const { contact: stored, deduplicated } = directory.contacts.create(contact, at)
    job.counts[deduplicated ? 'updated' : 'added']++
    job.contactIds.push(stored.id)
    directory.addToMailingList(job.mailingListId, stored.id)
    if (record.transaction) this.addTransaction(job, directory, record, stored.id)
  }

  private addTransaction(job: ImportJob, directory: ImportDirectory, record: AcceptedRecord, contactId: string): void {
    const { date, data } = record.transaction as { date?: string; data: Record<string, EmbeddedValue> }
    const transaction: StoredTransaction = {
      id: newId('CTR'),
      key: `${job.importId}#${record.position}`,
      contactId,
      mailingListId: job.mailingListId,
      // Without a date of its own, a transaction is dated when the import processed it (the sandbox clock counts
      // from its start, so real time stands in).
      transactionDate: date ?? new Date().toISOString().slice(0, 19).replace('T', ' '),
      data: { ...data },
      createdAt: new Date().toISOString()
    }
    directory.addTransaction(transaction)
    if (job.batchId) this.batches.get(job.batchId)?.transactionIds.push(transaction.id)
    job.transactionsCreated++
  }
}
