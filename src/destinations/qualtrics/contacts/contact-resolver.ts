import type { ContactBody, QualtricsClient, SearchableIdentifier } from '../client'
import { KnownContacts } from './contact-cache'
import type { ContactCacheLevel } from './contact-cache'
import { contactLevelsFor } from './contact-levels'
import type { ContactsState } from './contacts-state'
import { IDENTIFIERS, normalizeIdentifier } from './identity-groups'
import type { IdentityGroup } from './identity-groups'
import type { MultipleMatches } from './multiple-matches'
import { deduplicationIfListed } from './deduplication'
import { findContactId, resolveContactId } from './resolve-contact'
import type { ContactLookup, FindOutcome, ResolvedContact } from './resolve-contact'

/** How a group is looked up: the options of its first event (events of one batch share a mapping). */
export interface GroupLookup {
  matchOrder?: string[]
  mode: ContactLookup
  multipleMatches: MultipleMatches
}

function valuesOf(group: IdentityGroup): Array<{ type: SearchableIdentifier; value: string }> {
  return IDENTIFIERS.flatMap((type) => group.values[type].map((value) => ({ type, value })))
}

/**
 * Remembers the identifiers a written (created or deduplicated) contact now has. A write that came back with a
 * contact this process remembers as another person's (another extRef, for one of these values) was joined to it by
 * the directory's deduplication: nothing is remembered, so that the cache does not join them too, and the answer
 * says so.
 */
function rememberWritten(known: KnownContacts, contact: ContactBody, contactId: string): { joinedOtherPerson?: true } {
  const values = IDENTIFIERS.flatMap((type) => {
    const value = contact[type]
    return value ? [{ type, value }] : []
  })
  const joined = values.some(
    ({ type, value }) => known.lookup(type, value, contact.extRef).otherPerson?.contactId === contactId
  )
  if (joined) return { joinedOtherPerson: true }
  for (const { type, value } of values) {
    known.remember(type, value, { contactId, ...(contact.extRef ? { extRef: contact.extRef } : {}) })
  }
  return {}
}

/**
 * Remembers what a resolution learnt: every identifier of a contact it wrote; for a search, the value it matched and
 * any other value of the person that the found contact shows too. A contact joined to another person's (see
 * `rememberWritten`) and the near matches a search passed over are never remembered.
 */
function rememberResolved(known: KnownContacts, group: IdentityGroup, resolved: ResolvedContact): void {
  if (resolved.joinedOtherPerson) return
  if (resolved.source === 'created' || resolved.source === 'deduplication') {
    rememberWritten(known, group.contact, resolved.contactId)
    return
  }
  if (!resolved.matchedBy) return
  const { type, value, record } = resolved.matchedBy
  // A match passed the identity rule: its extRef, shown or (found by extRef) the value searched, is the person's.
  const shownExtRef = record.extRef?.trim()
  const extRef = shownExtRef ? shownExtRef : type === 'extRef' ? value : undefined
  const entry = { contactId: resolved.contactId, ...(extRef === undefined ? {} : { extRef }) }
  known.remember(type, value, entry)
  for (const other of valuesOf(group)) {
    const shown = record[other.type]
    if (
      typeof shown === 'string' &&
      normalizeIdentifier(other.type, shown) === normalizeIdentifier(other.type, other.value)
    ) {
      known.remember(other.type, other.value, entry)
    }
  }
}

/**
 * Resolves one batch's identity groups to contacts. The directory's deduplication settings are read only if needed,
 * at most once per directory every 10 minutes in the destination instance (deduplication.ts). Each group holds its
 * identifiers while it resolves (`ContactsState.identifierLocks`), and what it learns goes into the contact cache,
 * which later lookups of the same person use instead of a search.
 */
export class ContactResolver {
  private readonly client: QualtricsClient
  private readonly state: ContactsState
  private readonly cache: ContactCacheLevel

  constructor(client: QualtricsClient, state: ContactsState) {
    this.client = client
    this.state = state
    this.cache = contactLevelsFor(client, state.contacts)
  }

  knownContacts(directoryId: string): KnownContacts {
    return new KnownContacts(this.cache, this.client.account, directoryId)
  }

  /**
   * A write of `contact` that Qualtrics' deduplication may turn into an update (a create, an add to a mailing list):
   * `send` makes the request and answers the contact id it got, if any. The one place a write holds the person's
   * identifiers (as a lookup holds them, so that a lookup of the same person elsewhere in the instance waits for it)
   * and remembers what it wrote; `joinedOtherPerson` when the answer is a contact remembered as another person's.
   */
  write<A extends { contactId?: string }>(
    directoryId: string,
    contact: ContactBody,
    send: () => Promise<A>
  ): Promise<A & { joinedOtherPerson?: true }> {
    const known = this.knownContacts(directoryId)
    const keys = IDENTIFIERS.filter((type) => contact[type]).map((type) => known.key(type, contact[type] as string))
    return this.state.identifierLocks.exclusive(keys, async () => {
      const answer = await send()
      return answer.contactId ? { ...answer, ...rememberWritten(known, contact, answer.contactId) } : answer
    })
  }

  /** `fresh` ignores what the cache holds (a known contact Qualtrics has just said does not exist). */
  resolve(group: IdentityGroup, lookup: GroupLookup, fresh = false): Promise<ResolvedContact> {
    return this.holding(
      group,
      fresh,
      (known) =>
        resolveContactId(this.client, group.directoryId, group.contact, lookup.matchOrder, {
          mode: lookup.mode,
          deduplicatedOn: () => deduplicationIfListed(this.client, this.state.deduplication, group.directoryId),
          multipleMatches: lookup.multipleMatches,
          values: group.values,
          known
        }),
      (resolved) => resolved
    )
  }

  /**
   * The group's existing contact, found as `resolve` finds it but never created (no `found`: nobody matches), with
   * the other people's contacts the searches passed over, for work that only makes sense on a contact that exists
   * (removing it from a mailing list). `fresh` as for `resolve`.
   */
  find(group: IdentityGroup, lookup: GroupLookup, fresh = false): Promise<FindOutcome> {
    return this.holding(
      group,
      fresh,
      (known) =>
        findContactId(this.client, group.directoryId, group.contact, lookup.matchOrder, {
          mode: 'search',
          multipleMatches: lookup.multipleMatches,
          values: group.values,
          known
        }),
      (outcome) => outcome.found
    )
  }

  /**
   * Runs one lookup while holding the group's identifiers (`ContactsState.identifierLocks`), with the cache unless `fresh`, and
   * remembers the contact it found (`foundIn` picks it out of the answer).
   */
  private holding<R>(
    group: IdentityGroup,
    fresh: boolean,
    lookup: (known: KnownContacts | undefined) => Promise<R>,
    foundIn: (answer: R) => ResolvedContact | undefined
  ): Promise<R> {
    const known = this.knownContacts(group.directoryId)
    const keys = valuesOf(group).map(({ type, value }) => known.key(type, value))
    return this.state.identifierLocks.exclusive(keys, async () => {
      const answer = await lookup(fresh ? undefined : known)
      const found = foundIn(answer)
      if (found) rememberResolved(known, group, found)
      return answer
    })
  }

  /** Drops every identifier of the group that still names `contactId`. */
  forget(group: IdentityGroup, contactId: string): void {
    const known = this.knownContacts(group.directoryId)
    for (const { type, value } of valuesOf(group)) known.forget(type, value, contactId)
  }
}
