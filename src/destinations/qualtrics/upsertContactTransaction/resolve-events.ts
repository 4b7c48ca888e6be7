import { BATCH_CONCURRENCY, failed, mapWithConcurrency } from '../batching'
import type { Settled } from '../batching'
import { checkPathId } from '../client'
import type { TransactionEntry } from '../client'
import { buildContactBody } from '../contacts/contact-fields'
import type { GroupLookup, ContactResolver } from '../contacts/contact-resolver'
import { groupByIdentity } from '../contacts/identity-groups'
import type { IdentityGroup, IdentityMember } from '../contacts/identity-groups'
import { multipleMatchesOf } from '../contacts/multiple-matches'
import { requireLookupPlan } from '../contacts/resolve-contact'
import type { ResolvedContact } from '../contacts/resolve-contact'
import type { Payload } from './generated-types'
import { prepareTransaction } from './transaction'

export interface PreparedEvent {
  index: number
  directoryId: string
  key: string
  entry: Omit<TransactionEntry, 'contactId'>
  contactId?: string
}

/** An event with the contact its transaction goes to, and the identity group it was resolved with (if any). */
export interface ResolvedEvent extends PreparedEvent {
  contact: ResolvedContact
  group?: IdentityGroup
  lookup?: GroupLookup
}

function lookupOf(payload: Payload): GroupLookup {
  return {
    matchOrder: payload.matchContactBy,
    mode: payload.contactLookup === 'deduplication' ? 'deduplication' : 'search',
    multipleMatches: multipleMatchesOf(payload.multipleMatches)
  }
}

/** The events a step resolved, and the failures it settled (events checked bad, or whose lookup failed). */
export interface Resolution {
  events: ResolvedEvent[]
  settled: Settled
}

/**
 * Checks every event (a bad one fails alone), groups the events without a Contact ID by person (identity-groups.ts),
 * resolves each group once with a few lookups in flight, and answers each event's contact, in batch order. An event
 * whose group could not be resolved is settled with that error.
 */
export async function resolveEvents(resolver: ContactResolver, payloads: Payload[]): Promise<Resolution> {
  const settled: Settled = new Map()
  const prepared: PreparedEvent[] = []
  const members: IdentityMember[] = []
  payloads.forEach((payload, index) => {
    try {
      const { key, entry } = prepareTransaction(payload, index)
      const directoryId = checkPathId(payload.directoryId, 'Directory ID')
      // A blank Contact ID means "look the contact up"; any other must be a valid id (client/ids.ts).
      const contactId = payload.contactId?.trim() ? checkPathId(payload.contactId, 'Contact ID') : undefined
      if (contactId) {
        prepared.push({ index, directoryId, key, entry, contactId })
        return
      }
      const contact = buildContactBody(payload)
      requireLookupPlan(contact, payload.matchContactBy)
      prepared.push({ index, directoryId, key, entry })
      members.push({ index, directoryId, contact })
    } catch (error) {
      settled.set(index, failed(error))
    }
  })

  const groupOf = new Map<number, { group: IdentityGroup; lookup: GroupLookup; result: Promise<ResolvedContact> }>()
  await mapWithConcurrency(groupByIdentity(members), BATCH_CONCURRENCY, async (group) => {
    const lookup = lookupOf(payloads[group.indices[0]])
    const result = resolver.resolve(group, lookup)
    for (const index of group.indices) groupOf.set(index, { group, lookup, result })
    await result.catch(() => undefined)
  })

  const resolved: ResolvedEvent[] = []
  for (const event of prepared) {
    const resolution = groupOf.get(event.index)
    try {
      const contact: ResolvedContact = resolution
        ? await resolution.result
        : { contactId: event.contactId as string, source: 'given' }
      resolved.push({ ...event, contact, ...(resolution && { group: resolution.group, lookup: resolution.lookup }) })
    } catch (error) {
      settled.set(event.index, failed(error))
    }
  }
  return { events: resolved, settled }
}

/**
 * For events whose contact came from the cache and which Qualtrics said does not exist: forgets that contact and
 * resolves each such group once more, bypassing the cache, a few at a time. Other events are answered as they are.
 */
export async function resolveAgain(resolver: ContactResolver, events: ResolvedEvent[]): Promise<Resolution> {
  const settled: Settled = new Map()
  const stale = new Map<IdentityGroup, { lookup: GroupLookup; contactId: string }>()
  for (const { group, lookup, contact } of events) {
    if (contact.source === 'cached' && group && lookup) stale.set(group, { lookup, contactId: contact.contactId })
  }
  const fresh = new Map<IdentityGroup, Promise<ResolvedContact>>()
  await mapWithConcurrency([...stale], BATCH_CONCURRENCY, async ([group, { lookup, contactId }]) => {
    resolver.forget(group, contactId)
    const result = resolver.resolve(group, lookup, true)
    fresh.set(group, result)
    await result.catch(() => undefined)
  })
  const resolved: ResolvedEvent[] = []
  for (const event of events) {
    const result = event.group && fresh.get(event.group)
    try {
      resolved.push(result ? { ...event, contact: await result } : event)
    } catch (error) {
      settled.set(event.index, failed(error))
    }
  }
  return { events: resolved, settled }
}
