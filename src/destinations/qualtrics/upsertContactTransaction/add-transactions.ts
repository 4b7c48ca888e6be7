import { IntegrationError, type JSONLikeObject } from '@segment/actions-core'
import {
  BATCH_CONCURRENCY,
  DEFAULT_BATCH_SIZE,
  failed,
  mapWithConcurrency,
  MAX_BATCH_SIZE,
  succeeded,
  type Outcome
} from '../batching'
import { buildContactBody, mergeContacts } from '../contact-fields'
import {
  describeRequestId,
  withAnswer,
  type ContactBody,
  type QualtricsClient,
  type TransactionEntry,
  type TransactionsAnswer,
  type TransactionsResult
} from '../client'
import type { Payload } from './generated-types'
import {
  deduplicationFields,
  requireLookupPlan,
  resolveContactId,
  resolveShared,
  type ContactLookup,
  type ResolvedContact
} from './resolve-contact'
import { prepareTransaction } from './transaction'

/** A transactions request stays well under Qualtrics' 5 MB body limit. */
export const TRANSACTIONS_BODY_BUDGET_BYTES = 1024 * 1024

interface PreparedEvent {
  index: number
  directoryId: string
  key: string
  entry: Omit<TransactionEntry, 'contactId'>
  contactId?: string
  identity?: string
}

interface Identity {
  directoryId: string
  contact: ContactBody
  matchOrder?: string[]
  mode: ContactLookup
}

interface ReadyTransaction {
  key: string
  transaction: TransactionEntry
  source: ResolvedContact['source']
  /** This event, and any later event in the batch with the same key (a resend), which share its outcome. */
  indices: number[]
}

function prepare(payload: Payload, index: number, identities: Map<string, Identity>): PreparedEvent {
  const { key, entry } = prepareTransaction(payload, index)
  const directoryId = payload.directoryId.trim()
  const contactId = payload.contactId?.trim()
  if (contactId) return { index, directoryId, key, entry, contactId }
  const contact = buildContactBody(payload)
  const plan = requireLookupPlan(contact, payload.matchContactBy)
  const mode: ContactLookup = payload.contactLookup === 'deduplication' ? 'deduplication' : 'search'
  // The same person, looked up the same way, is resolved once per batch.
  const identity = JSON.stringify([directoryId, mode, plan.map((id) => [id, String(contact[id]).toLowerCase()])])
  const known = identities.get(identity)
  identities.set(
    identity,
    known
      ? { ...known, contact: mergeContacts(known.contact, contact) }
      : { directoryId, contact, matchOrder: payload.matchContactBy, mode }
  )
  return { index, directoryId, key, entry, identity }
}

/** Splits a directory's transactions into requests of at most `size` entries and the body budget. */
function chunk(items: ReadyTransaction[], size: number): ReadyTransaction[][] {
  const chunks: ReadyTransaction[][] = []
  let current: ReadyTransaction[] = []
  let bytes = 0
  for (const item of items) {
    const itemBytes = Buffer.byteLength(JSON.stringify({ [item.key]: item.transaction }))
    if (current.length > 0 && (current.length >= size || bytes + itemBytes > TRANSACTIONS_BODY_BUDGET_BYTES)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += itemBytes
  }
  if (current.length > 0) chunks.push(current)
  return chunks
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
 * Adds one transaction per event. Events are checked first (a bad one fails alone); each distinct contact is
 * resolved once with a few lookups in flight; then each directory's transactions go out in chunks, and every
 * entry of the response is mapped back to its event by key. Returns one outcome per payload, in order.
 */
export async function addTransactions(client: QualtricsClient, payloads: Payload[]): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(payloads.length)
  const identities = new Map<string, Identity>()
  const prepared: PreparedEvent[] = []
  payloads.forEach((payload, index) => {
    try {
      prepared.push(prepare(payload, index, identities))
    } catch (error) {
      outcomes[index] = failed(error)
    }
  })

  // The directory's deduplication settings are read at most once per directory per batch, and only if needed.
  const criteria = new Map<string, Promise<(keyof ContactBody)[]>>()
  const deduplicatedOn = (directoryId: string) => () => {
    if (!criteria.has(directoryId)) criteria.set(directoryId, deduplicationFields(client, directoryId))
    return criteria.get(directoryId) as Promise<(keyof ContactBody)[]>
  }
  const resolved = new Map<string, Promise<ResolvedContact>>()
  const account = client.account
  await mapWithConcurrency([...identities], BATCH_CONCURRENCY, async ([key, identity]) => {
    const lookup = { mode: identity.mode, deduplicatedOn: deduplicatedOn(identity.directoryId) }
    const resolve = () => resolveContactId(client, identity.directoryId, identity.contact, identity.matchOrder, lookup)
    // A deduplicating create is Qualtrics' own upsert and cannot race; a search then create can.
    const result = identity.mode === 'search' ? resolveShared(`${account} ${key}`, resolve) : resolve()
    resolved.set(key, result)
    await result.catch(() => undefined)
  })

  const byDirectory = new Map<string, Map<string, ReadyTransaction>>()
  for (const event of prepared) {
    let contact: ResolvedContact
    try {
      contact = event.contactId
        ? { contactId: event.contactId, source: 'given' }
        : await (resolved.get(event.identity as string) as Promise<ResolvedContact>)
    } catch (error) {
      outcomes[event.index] = failed(error)
      continue
    }
    const ready = byDirectory.get(event.directoryId) ?? new Map<string, ReadyTransaction>()
    byDirectory.set(event.directoryId, ready)
    const resent = ready.get(event.key)
    if (resent) {
      resent.indices.push(event.index)
      continue
    }
    ready.set(event.key, {
      key: event.key,
      transaction: { ...event.entry, contactId: contact.contactId },
      source: contact.source,
      indices: [event.index]
    })
  }

  const size = Math.min(Math.max(Math.trunc(payloads[0]?.batch_size ?? DEFAULT_BATCH_SIZE), 1), MAX_BATCH_SIZE)
  const requests = [...byDirectory].flatMap(([directoryId, ready]) =>
    chunk([...ready.values()], size).map((items) => ({ directoryId, items }))
  )
  await mapWithConcurrency(requests, BATCH_CONCURRENCY, async ({ directoryId, items }) => {
    const transactions = Object.fromEntries(items.map((item) => [item.key, item.transaction]))
    let result: TransactionsResult | undefined
    let error: unknown
    try {
      result = await client.createTransactions(directoryId, transactions)
    } catch (e) {
      error = e
    }
    for (const item of items) {
      // A failed request fails its own chunk only, with its status (a 429 or 5xx stays retryable).
      const outcome = result ? outcomeFor(item, result) : failed(error)
      for (const index of item.indices) outcomes[index] = outcome
    }
  })
  return outcomes
}
