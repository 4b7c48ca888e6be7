import type { ContactBody, ContactRecord } from '../client'
import type { ContactResolver, GroupLookup } from '../contacts/contact-resolver'
import { fieldsListed, readingsNote } from '../contacts/deduplication'
import type { RuleCoverage } from '../contacts/deduplication'
import type { IdentityGroup } from '../contacts/identity-groups'
import { DEFAULT_MULTIPLE_MATCHES } from '../contacts/multiple-matches'

/** How an audience finds a person's existing contact: as the transaction action does by default. */
export const PERSON_LOOKUP: GroupLookup = { mode: 'search', multipleMatches: DEFAULT_MULTIPLE_MATCHES }

/** The contact an add sends, and what its result says once Qualtrics answered which contact it wrote. */
export interface FittedAdd {
  contact: ContactBody
  noteFor(answeredId: string | undefined): string | undefined
}

const present = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''

/**
 * An add of a person whose event lacks some flagged field, right whether the directory's flags are one rule or one
 * rule each (deduplication.ts `ruleCoverage`): the person is searched for (fresh, not from the contact cache, so that
 * the contact's fields are seen). Found, the flagged fields the event lacks are taken from that contact, and either
 * reading then matches it. Nobody found, the add creates the person's one contact under either reading. Found
 * without those fields either, the add goes as it is: one rule each matches the contact, one rule makes a second
 * one, which the result then names.
 */
export async function fitToEitherReading(
  resolver: ContactResolver,
  group: IdentityGroup,
  coverage: RuleCoverage
): Promise<FittedAdd> {
  const { missing } = coverage
  const why = readingsNote(coverage)
  const { found } = await resolver.find(group, PERSON_LOOKUP, true)
  const record: ContactRecord | undefined = found?.matchedBy?.record
  if (!found || !record) {
    const note = `${why}; no contact of this person was found, so the add creates one under either reading.`
    return { contact: group.contact, noteFor: () => note }
  }
  const contact: ContactBody = { ...group.contact }
  for (const field of missing) {
    const value = record[field as keyof ContactRecord]
    if (present(value)) (contact as Record<string, unknown>)[field] = value
  }
  const stillMissing = missing.filter((field) => contact[field] === undefined)
  if (stillMissing.length === 0) {
    const note = `${why}; ${fieldsListed(missing)} was taken from the person's contact ${
      found.contactId
    }, which either reading then matches.`
    return { contact, noteFor: () => note }
  }
  const lacking = `the person's contact ${found.contactId} has no ${fieldsListed(stillMissing)} either`
  return {
    contact,
    noteFor: (answeredId) =>
      answeredId === undefined || answeredId === found.contactId
        ? `${why}; ${lacking}, and Qualtrics matched it (the flags are one rule each).`
        : `${why}; ${lacking}, and Qualtrics answered ${answeredId}: read as one rule, the add made a second contact beside ${found.contactId}.`
  }
}
