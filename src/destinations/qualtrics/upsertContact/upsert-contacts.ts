import type { JSONLikeObject } from '@segment/actions-core'
import { PayloadValidationError } from '@segment/actions-core'
import { BATCH_CONCURRENCY, failed, inBatchOrder, mapWithConcurrency, settle, settledAll, succeeded } from '../batching'
import type { Outcome, Settled } from '../batching'
import { checkPathId } from '../client'
import type { ContactBody, QualtricsClient } from '../client'
import { buildContactBody, mergeContacts } from '../contacts/contact-fields'
import { ContactResolver } from '../contacts/contact-resolver'
import type { ContactsState } from '../contacts/contacts-state'
import { groupByIdentity, IDENTIFIERS, normalizeIdentifier, SAME_CONTACT_REACH } from '../contacts/identity-groups'
import type { IdentityMember } from '../contacts/identity-groups'
import { identityReport, joinNotes } from '../contacts/person-search'
import type { Payload } from './generated-types'

interface ContactWrite {
  directoryId: string
  contact: ContactBody
  indices: number[]
}

/** Two events with exactly the same identifiers (compared as identity-groups.ts says) can share one request. */
function sameIdentifiers(a: ContactBody, b: ContactBody): boolean {
  return IDENTIFIERS.every((type) => {
    const [x, y] = [a[type], b[type]]
    return x === undefined || y === undefined ? x === y : normalizeIdentifier(type, x) === normalizeIdentifier(type, y)
  })
}

/**
 * The writes of one chain of events that can reach the same contact, in batch order. Back-to-back events with the
 * same identifiers become one request with their fields merged (a later value wins, embedded data key by key),
 * which is what sending them one after another would leave in Qualtrics.
 */
function writesInOrder(members: IdentityMember[]): ContactWrite[] {
  const writes: ContactWrite[] = []
  for (const { index, directoryId, contact } of members) {
    const last = writes.at(-1)
    if (last && sameIdentifiers(last.contact, contact)) {
      last.contact = mergeContacts(last.contact, contact)
      last.indices.push(index)
    } else {
      writes.push({ directoryId, contact, indices: [index] })
    }
  }
  return writes
}

async function write(
  client: QualtricsClient,
  resolver: ContactResolver,
  { directoryId, contact }: ContactWrite
): Promise<Outcome> {
  return settle(async () => {
    // Held like any contact write, so that a transaction lookup of the same person does not race this create.
    const written = await resolver.write(directoryId, contact, () => client.writeContact(directoryId, contact))
    const { contactId, joinedOtherPerson } = written
    const note = joinNotes(written.note, identityReport(undefined, joinedOtherPerson ? contactId : undefined).note)
    return succeeded({ ...contact }, { ...(contactId ? { contactId } : {}), directoryId, ...(note ? { note } : {}) })
  }, contact as JSONLikeObject)
}

/**
 * Creates or updates each contact. Events whose writes can reach the same contact (any shared identifier, ignoring
 * case, as the directory's deduplication compares them) go out one after another in batch order, so the later
 * event's values win as they would sent singly; unrelated contacts go out a few at a time. Returns one outcome per
 * payload, in order.
 */
export async function upsertContacts(
  client: QualtricsClient,
  state: ContactsState,
  payloads: Payload[]
): Promise<Outcome[]> {
  const refused: Settled = new Map()
  const resolver = new ContactResolver(client, state)
  const members = new Map<number, IdentityMember>()
  payloads.forEach((payload, index) => {
    try {
      const contact = buildContactBody(payload)
      if (!contact.extRef && !contact.email && !contact.phone) {
        throw new PayloadValidationError(
          'The contact has no identifier: map at least one of External Data Reference, Email or Phone number.'
        )
      }
      members.set(index, { index, directoryId: checkPathId(payload.directoryId, 'Directory ID'), contact })
    } catch (error) {
      refused.set(index, failed(error))
    }
  })
  const chains = groupByIdentity([...members.values()], SAME_CONTACT_REACH).map((group) =>
    writesInOrder(group.indices.map((index) => members.get(index) as IdentityMember))
  )
  const written = await mapWithConcurrency(chains, BATCH_CONCURRENCY, async (writes) => {
    const settled: Settled[] = []
    for (const contactWrite of writes)
      settled.push(settledAll(contactWrite.indices, await write(client, resolver, contactWrite)))
    return settled
  })
  return inBatchOrder(payloads.length, refused, ...written.flat())
}
