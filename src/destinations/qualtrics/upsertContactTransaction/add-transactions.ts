import { IntegrationError } from '@segment/actions-core'
import type { JSONLikeObject } from '@segment/actions-core'
import {
  BATCH_CONCURRENCY,
  DEFAULT_BATCH_SIZE,
  failed,
  inBatchOrder,
  mapWithConcurrency,
  MAX_BATCH_SIZE,
  succeeded
} from '../batching'
import type { Outcome, Settled } from '../batching'
import { cameFromQualtrics, describeRequestId, withAnswer } from '../client'
import type { QualtricsClient, TransactionEntry, TransactionsAnswer, TransactionsResult } from '../client'
import { ContactResolver } from '../contacts/contact-resolver'
import type { ContactsState } from '../contacts/contacts-state'
import { identityReport, joinNotes } from '../contacts/person-search'
import type { ResolvedContact } from '../contacts/resolve-contact'
import { packRequests } from '../packing'
import type { ItemCost } from '../packing'
import type { Payload } from './generated-types'
import { resolveAgain, resolveEvents } from './resolve-events'
import type { ResolvedEvent } from './resolve-events'

/** A transactions request stays well under Qualtrics' 5 MB body limit. */
export const TRANSACTIONS_BODY_BUDGET_BYTES = 1024 * 1024

/** A transaction's bytes in the request's map: its key and entry. */
const TRANSACTION_COST: ItemCost<ReadyTransaction> = {
  bytesOf: (item) => Buffer.byteLength(JSON.stringify({ [item.key]: item.transaction }))
}

interface ReadyTransaction {
  key: string
  transaction: TransactionEntry
  source: ResolvedContact['source']
  /** The first event with this key, which carries how its contact was found. */
  event: ResolvedEvent
  /** This event, and any later event in the batch with the same key (a resend), which share its outcome. */
  indices: number[]
}

/**
 * Maps one transactions response back to its events by key. Qualtrics accepted the request (2xx), so an entry it
 * does not report is a success with a note, not an error: a retry could store the transaction twice.
 */
function outcomeFor(item: ReadyTransaction, result: TransactionsAnswer): Outcome {
  const id = result.createdTransactions?.[item.key]?.id
  const sent = { [item.key]: item.transaction } as unknown as JSONLikeObject
  const contact = { contactId: item.transaction.contactId, contact: item.source }
  if (id) return succeeded(sent, { transactionId: id, ...contact })
  const rejected = result.unprocessedTransactions?.[item.key]
  const requestId = describeRequestId(result.requestId)
  if (rejected) {
    const reason = rejected.errorMessage ?? rejected.error ?? 'no reason given'
    const error = new IntegrationError(
      `Qualtrics did not add the transaction: ${reason} (${requestId})`,
      'TRANSACTION_UNPROCESSED',
      400
    )
    const answer = { unprocessedTransactions: { [item.key]: rejected }, requestId: result.requestId ?? null }
    return failed(withAnswer(error, answer as unknown as JSONLikeObject), sent)
  }
  const note =
    result.note ??
    `Qualtrics accepted the request to add the transaction, but its answer reports "${item.key}" in neither createdTransactions nor unprocessedTransactions (${requestId})`
  return succeeded(sent, { ...contact, note })
}

/**
 * A success says how its contact was chosen when there was a choice: the person's other matches left aside, other
 * people's contacts passed over (near matches), and a join by the directory's deduplication.
 */
function withLookupReport(outcome: Outcome, contact: ResolvedContact): Outcome {
  if (!outcome.ok) return outcome
  const others = contact.otherMatches
    ? { otherMatches: contact.otherMatches, otherMatchCount: contact.otherMatchCount ?? 0 }
    : {}
  const report = identityReport(contact.nearMatches, contact.joinedOtherPerson ? contact.contactId : undefined)
  const earlier = typeof outcome.body.note === 'string' ? outcome.body.note : undefined
  const note = joinNotes(earlier, contact.lookupNote, report.note)
  return { ...outcome, body: { ...outcome.body, ...others, ...report, ...(note ? { note } : {}) } }
}

/** One transaction per distinct key and directory, in batch order. */
function readyByDirectory(events: ResolvedEvent[]): Map<string, ReadyTransaction[]> {
  const byDirectory = new Map<string, Map<string, ReadyTransaction>>()
  for (const event of events) {
    const ready = byDirectory.get(event.directoryId) ?? new Map<string, ReadyTransaction>()
    byDirectory.set(event.directoryId, ready)
    const resent = ready.get(event.key)
    if (resent) {
      resent.indices.push(event.index)
      continue
    }
    ready.set(event.key, {
      key: event.key,
      transaction: { ...event.entry, contactId: event.contact.contactId },
      source: event.contact.source,
      event,
      indices: [event.index]
    })
  }
  return new Map([...byDirectory].map(([directoryId, ready]) => [directoryId, [...ready.values()]]))
}

/**
 * Whether Qualtrics answered that a contact known from the cache does not exist (deleted or merged since): the
 * entry names the contact as unprocessed, or the whole request was a 404 (which may name any of its contacts).
 */
function cachedContactMissing(item: ReadyTransaction, result?: TransactionsResult, error?: unknown): boolean {
  if (item.source !== 'cached') return false
  if (result) {
    const rejected = result.unprocessedTransactions?.[item.key]
    return (
      rejected !== undefined &&
      `${rejected.errorMessage ?? ''} ${rejected.error ?? ''}`.includes(item.transaction.contactId)
    )
  }
  return (error as { status?: unknown } | undefined)?.status === 404
}

/**
 * Sends each directory's transactions in chunks and maps every entry of each response back to its events by key.
 * Returns what it settled, and the events to send again: those whose cached contact Qualtrics said does not exist,
 * and with them the rest of a request that failed as a whole because of it.
 */
async function sendTransactions(
  client: QualtricsClient,
  byDirectory: Map<string, ReadyTransaction[]>,
  size: number
): Promise<{ settled: Settled; again: ResolvedEvent[] }> {
  const settled: Settled = new Map()
  const requests = [...byDirectory].flatMap(([directoryId, ready]) =>
    packRequests(ready, { maxItems: size, maxBytes: TRANSACTIONS_BODY_BUDGET_BYTES }, TRANSACTION_COST).map(
      (items) => ({
        directoryId,
        items
      })
    )
  )
  const again: ResolvedEvent[] = []
  await mapWithConcurrency(requests, BATCH_CONCURRENCY, async ({ directoryId, items }) => {
    const transactions = Object.fromEntries(items.map((item) => [item.key, item.transaction]))
    let result: TransactionsAnswer | undefined
    let error: unknown
    try {
      result = await client.createTransactions(directoryId, transactions)
    } catch (e) {
      error = e
    }
    const wholeRequestAgain = !result && items.some((item) => cachedContactMissing(item, result, error))
    for (const item of items) {
      // A failed request fails its own chunk only, with its status (a 429 or 5xx stays retryable).
      const outcome = result
        ? withLookupReport(outcomeFor(item, result), item.event.contact)
        : failed(
            error,
            cameFromQualtrics(error) ? ({ [item.key]: item.transaction } as unknown as JSONLikeObject) : undefined
          )
      for (const index of item.indices) settled.set(index, outcome)
      if (wholeRequestAgain || cachedContactMissing(item, result, error)) {
        again.push(...item.indices.map((index) => ({ ...item.event, index })))
      }
    }
  })
  return { settled, again }
}

/**
 * Adds one transaction per event. Events are checked first (a bad one fails alone); each person is resolved once
 * (resolve-events.ts); then each directory's transactions go out in chunks. A contact known from the cache that
 * Qualtrics says does not exist is forgotten, looked up once more, and its transactions are sent once more.
 * Returns one outcome per payload, in order.
 */
export async function addTransactions(
  client: QualtricsClient,
  state: ContactsState,
  payloads: Payload[]
): Promise<Outcome[]> {
  const resolver = new ContactResolver(client, state)
  const resolved = await resolveEvents(resolver, payloads)
  const size = Math.min(Math.max(Math.trunc(payloads[0]?.batch_size ?? DEFAULT_BATCH_SIZE), 1), MAX_BATCH_SIZE)
  const first = await sendTransactions(client, readyByDirectory(resolved.events), size)
  if (first.again.length === 0) return inBatchOrder(payloads.length, resolved.settled, first.settled)

  const resolvedAgain = await resolveAgain(resolver, first.again)
  const second = await sendTransactions(client, readyByDirectory(resolvedAgain.events), size)
  return inBatchOrder(payloads.length, resolved.settled, first.settled, resolvedAgain.settled, second.settled)
}
