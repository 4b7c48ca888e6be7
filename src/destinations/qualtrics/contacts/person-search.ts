import { IntegrationError } from '@segment/actions-core'
import type { ContactRecord, QualtricsClient, SearchableIdentifier } from '../client'
import { extRefsAgree } from './identity-groups'
import { oldestFirst, OTHER_MATCHES_SHOWN } from './multiple-matches'
import type { MultipleMatches } from './multiple-matches'

export const IDENTIFIER_LABELS: Record<SearchableIdentifier, string> = {
  extRef: 'External Data Reference',
  email: 'Email',
  phone: 'Phone number'
}

/** Contacts searches answered that were passed over as other people, over one person's lookup. */
export interface NearMatches {
  /** The first few ids, in the order the searches answered them. */
  contactIds: string[]
  /** How many distinct contacts were passed over. */
  count: number
}

/** Gathers the near matches of one person's searches (each contact once, however many searches answer it). */
export class NearMatchLog {
  private readonly ids = new Set<string>()

  add(passedOver: ContactRecord[]): void {
    for (const { id } of passedOver) this.ids.add(id)
  }

  has(contactId: string): boolean {
    return this.ids.has(contactId)
  }

  summary(): NearMatches | undefined {
    if (this.ids.size === 0) return undefined
    const contactIds = [...this.ids].slice(0, OTHER_MATCHES_SHOWN)
    return { contactIds, count: this.ids.size }
  }
}

/** The person's own matches of one search: the oldest, and the others (ids) with how many there were. */
export interface OwnMatch {
  record: ContactRecord
  otherMatches?: string[]
  otherMatchCount?: number
}

const distinct = (records: ContactRecord[]) =>
  records.filter((record, i) => records.findIndex((other) => other.id === record.id) === i)

/**
 * One search, keeping only the contacts that can be the person (`extRefsAgree`); the others go to `log`. Nothing
 * left: undefined. Several left: the oldest, or a final 409 when the user chose "fail".
 */
export async function searchOwnMatch(
  client: QualtricsClient,
  directoryId: string,
  { type, value }: { type: SearchableIdentifier; value: string },
  person: { extRef?: string; multipleMatches: MultipleMatches; log: NearMatchLog }
): Promise<OwnMatch | undefined> {
  const found = distinct(await client.searchContacts(directoryId, type, value))
  const own = found.filter((record) => extRefsAgree(record.extRef, person.extRef))
  person.log.add(found.filter((record) => !own.includes(record)))
  if (own.length === 0) return undefined
  if (own.length > 1 && person.multipleMatches === 'fail') {
    throw new IntegrationError(
      `Several contacts in directory ${directoryId} have ${IDENTIFIER_LABELS[type]} "${value}": give a Contact ID, or match by an identifier that is unique.`,
      'AMBIGUOUS_CONTACT',
      409
    )
  }
  const [record, ...others] = oldestFirst(own)
  if (others.length === 0) return { record }
  return { record, otherMatches: others.slice(0, OTHER_MATCHES_SHOWN).map((c) => c.id), otherMatchCount: others.length }
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many)

/** Two notes as one; either may be missing. */
export function joinNotes(...notes: Array<string | undefined>): string | undefined {
  const given = notes.filter((note): note is string => typeof note === 'string' && note !== '')
  return given.length > 0 ? given.join(' ') : undefined
}

/** What an event's result says about its lookup's near matches and a join by deduplication; {} when nothing. */
export function identityReport(
  nearMatches: NearMatches | undefined,
  joinedContactId?: string
): { nearMatches?: string[]; nearMatchCount?: number; note?: string } {
  const sentences: string[] = []
  if (nearMatches) {
    const n = nearMatches.count
    const [contacts, have, others] = [
      plural(n, 'contact', 'contacts'),
      plural(n, 'has', 'have'),
      plural(n, 'another person', 'other people')
    ]
    sentences.push(
      `${n} ${contacts} that a search answered for this person ${have} another External Data Reference: passed over as ${others}.`
    )
  }
  if (joinedContactId) {
    sentences.push(
      `Qualtrics' deduplication matched the contact written for this person to ${joinedContactId}, a contact of another External Data Reference: the directory's deduplication rules joined the two.`
    )
  }
  const note = joinNotes(...sentences)
  return {
    ...(nearMatches ? { nearMatches: nearMatches.contactIds, nearMatchCount: nearMatches.count } : {}),
    ...(note ? { note } : {})
  }
}
