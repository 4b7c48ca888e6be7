import { RetryableError } from '@segment/actions-core'
import type { AudienceMembership, JSONLikeObject } from '@segment/actions-core'
import type { SyncMode } from '@segment/actions-core/destination-kit/types'
import { BATCH_CONCURRENCY, failed, inBatchOrder, mapWithConcurrency, settle, succeeded } from '../batching'
import type { Outcome, Settled } from '../batching'
import type { ContactBody, MailingListClient } from '../client'
import { AUDIENCE_NEEDS } from '../audience/audience-config'
import type { ContactsState } from '../contacts/contacts-state'
import { deduplicationOf, ruleCoverage } from '../contacts/deduplication'
import { ContactResolver } from '../contacts/contact-resolver'
import { identityReport, joinNotes } from '../contacts/person-search'
import type { NearMatches } from '../contacts/person-search'
import { groupByIdentity, SAME_CONTACT_REACH, SAME_PERSON } from '../contacts/identity-groups'
import type { IdentityGroup, IdentityMember } from '../contacts/identity-groups'
import { checkAudienceEvent } from './audience-events'
import { fitToEitherReading, PERSON_LOOKUP } from './either-reading'
import type { AudienceEvent } from './audience-events'
import type { Payload } from './generated-types'

/** Removals look the person up as the transaction action does by default: extRef, then email, then phone. */
const REMOVAL_LOOKUP = PERSON_LOOKUP

/** The events of one person in one list: the last one (in event order) says what the list must show. */
interface PersonChange {
  group: IdentityGroup
  last: AudienceEvent
}

type Work = (
  client: MailingListClient,
  resolver: ContactResolver,
  state: ContactsState,
  change: PersonChange
) => Promise<Outcome>

/** Membership on the contact is text, as Qualtrics keeps embedded data: "true" or "false". */
const withMembership = (contact: ContactBody, event: AudienceEvent, member: boolean): ContactBody =>
  event.membershipField
    ? { ...contact, embeddedData: { ...contact.embeddedData, [event.membershipField]: String(member) } }
    : contact

const add: Work = async (client, resolver, state, { group, last }) => {
  const { directoryId, mailingListId } = last.list
  const deduplicatedOn = await deduplicationOf(client, state.deduplication, directoryId)
  const coverage = ruleCoverage(directoryId, deduplicatedOn, group.contact, AUDIENCE_NEEDS)
  const fitted = coverage.missing.length > 0 ? await fitToEitherReading(resolver, group, coverage) : undefined
  const body = withMembership(fitted?.contact ?? group.contact, last, true)
  return settle(async () => {
    // Held like any contact write, so that a lookup of the same person elsewhere in this instance waits for it.
    const written = await resolver.write(directoryId, body, () =>
      client.addToMailingList(directoryId, mailingListId, body)
    )
    const { joinedOtherPerson, ...answer } = written
    const { note } = identityReport(undefined, joinedOtherPerson ? answer.contactId : undefined)
    const noted = joinNotes(answer.note, fitted?.noteFor(answer.contactId), note)
    return succeeded(body as JSONLikeObject, {
      action: 'added',
      directoryId,
      mailingListId,
      ...answer,
      ...(noted ? { note: noted } : {})
    })
  }, body as JSONLikeObject)
}

/** A removal's result: what was done, and what the lookup passed over (another person's contacts). */
function removal(
  list: { directoryId: string; mailingListId: string },
  done: { action: 'removed' | 'none'; contactId?: string; note?: string },
  nearMatches: NearMatches | undefined
): JSONLikeObject {
  const report = identityReport(nearMatches)
  const note = joinNotes(done.note, report.note)
  return { ...done, ...list, ...report, ...(note ? { note } : {}) } as JSONLikeObject
}

/**
 * Removes the found contact. A remembered contact the list does not hold may have been merged or deleted since, so
 * the person is looked up afresh once before the list is taken as already without them; only then is membership on
 * the contact recorded, on the contact that was actually looked at. A contact of another extRef that a search
 * answers is never removed (see `extRefsAgree`): with nobody else found, there is nobody to remove.
 */
const remove: Work = async (client, resolver, _state, { group, last }) => {
  const { directoryId, mailingListId } = last.list
  let { found, nearMatches } = await resolver.find(group, REMOVAL_LOOKUP)
  const sent: { contactId?: string } = {}
  return settle(async () => {
    let removed = false
    if (found) {
      sent.contactId = found.contactId
      removed = (await client.removeFromMailingList(directoryId, mailingListId, found.contactId)).removed
      if (!removed && found.source === 'cached') {
        resolver.forget(group, found.contactId)
        ;({ found, nearMatches } = await resolver.find(group, REMOVAL_LOOKUP, true))
        if (found) {
          sent.contactId = found.contactId
          removed = (await client.removeFromMailingList(directoryId, mailingListId, found.contactId)).removed
        }
      }
    }
    if (!found) {
      const note = `No contact in directory ${directoryId} matches this person: nobody to remove from mailing list ${mailingListId}.`
      return succeeded({}, removal({ directoryId, mailingListId }, { action: 'none', note }, nearMatches))
    }
    const { contactId } = found
    if (last.membershipField) {
      await client.updateEmbeddedData(directoryId, contactId, { [last.membershipField]: 'false' })
    }
    const note = removed ? undefined : `Contact ${contactId} was not in mailing list ${mailingListId}.`
    const done = { action: removed ? ('removed' as const) : ('none' as const), contactId, ...(note ? { note } : {}) }
    return succeeded({ contactId }, removal({ directoryId, mailingListId }, done, nearMatches))
  }, sent)
}

/** A change the sync mode leaves alone is acknowledged, never sent. */
function skipped(change: PersonChange, syncMode: SyncMode): Outcome {
  const what = change.last.member ? 'entries are not added' : 'exits are not removed'
  return succeeded({}, { action: 'none', note: `Sync mode "${syncMode}": ${what}.` })
}

function workFor(change: PersonChange, syncMode: SyncMode): Work | undefined {
  if (change.last.member) return syncMode === 'delete' ? undefined : add
  return syncMode === 'add' ? undefined : remove
}

/**
 * One change per person and list (events grouped as the same person: any shared identifier, but two extRefs are
 * two people), in chains of people whose writes could reach one contact through the directory's deduplication
 * (a shared email, say). A chain goes out one change after another in the order of their deciding events; chains go
 * out a few at a time.
 */
function changeChainsOf(events: AudienceEvent[]): PersonChange[][] {
  const byList = new Map<string, AudienceEvent[]>()
  for (const event of events) {
    const key = `${event.list.directoryId}:${event.list.mailingListId}`
    byList.set(key, [...(byList.get(key) ?? []), event])
  }
  return [...byList.values()].flatMap((listEvents) => {
    const byIndex = new Map(listEvents.map((event) => [event.index, event]))
    const members = new Map(
      listEvents.map(({ index, list, contact }) => [index, { index, directoryId: list.directoryId, contact }])
    )
    return groupByIdentity([...members.values()], SAME_CONTACT_REACH).map((reach) => {
      const people = groupByIdentity(
        reach.indices.map((index) => members.get(index) as IdentityMember),
        SAME_PERSON
      )
      const changes = people.map((group) => ({
        group,
        last: byIndex.get(group.indices[group.indices.length - 1]) as AudienceEvent
      }))
      return changes.sort((a, b) => a.last.index - b.last.index)
    })
  })
}

const rateLimited = (outcome: Outcome) => !outcome.ok && (outcome.error as { status?: unknown })?.status === 429

/**
 * Once a request of the batch is still rate limited (429) after the client's one retry, the endpoint's budget is
 * spent for now: the batch's remaining people are not sent at all (each would be another 429) but reported
 * retryable, so that Segment sends them again later. A backfill then costs about one request per member, not one per
 * attempt, while a passing 429 costs one retry instead of the rest of the batch.
 */
function notSentWhileRateLimited(): Outcome {
  return failed(
    new RetryableError(
      'Not sent: Qualtrics rate-limited an earlier request of this batch (429), so the rest waits for Segment to retry it.',
      429
    )
  )
}

/** Earlier events of a person share the outcome of the last, and say which event decided it. */
function forEvent(outcome: Outcome, index: number, last: number): Outcome {
  if (index === last || !outcome.ok) return outcome
  return { ...outcome, body: { ...outcome.body, supersededBy: last } }
}

/**
 * Mirrors a batch of Engage audience events to mailing lists. Each event is checked on its own (a bad one fails
 * alone, before anything is sent); a person's events collapse to the last one; entries are added (one request each,
 * the directory's deduplication matching an existing contact) and exits removed (the contact found through the
 * contact cache, else a search), a few people at a time. One outcome per payload, in order.
 */
export async function syncMembers(
  client: MailingListClient,
  state: ContactsState,
  payloads: Payload[],
  memberships: AudienceMembership[],
  syncMode: SyncMode = 'mirror'
): Promise<Outcome[]> {
  const refused: Settled = new Map()
  const events: AudienceEvent[] = []
  payloads.forEach((payload, index) => {
    try {
      events.push(checkAudienceEvent(payload, memberships[index], index))
    } catch (error) {
      refused.set(index, failed(error))
    }
  })
  const resolver = new ContactResolver(client, state)
  let halted = false
  const changed = await mapWithConcurrency(changeChainsOf(events), BATCH_CONCURRENCY, async (chain) => {
    const settled: Settled = new Map()
    for (const change of chain) {
      const work = workFor(change, syncMode)
      let outcome: Outcome
      if (!work) outcome = skipped(change, syncMode)
      else if (halted) outcome = notSentWhileRateLimited()
      else {
        outcome = await work(client, resolver, state, change).catch((error: unknown) => failed(error))
        halted ||= rateLimited(outcome)
      }
      for (const index of change.group.indices) settled.set(index, forEvent(outcome, index, change.last.index))
    }
    return settled
  })
  return inBatchOrder(payloads.length, refused, ...changed)
}
