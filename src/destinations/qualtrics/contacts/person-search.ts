import { IntegrationError } from '@segment/actions-core'
import type { ContactRecord, QualtricsClient, SearchableIdentifier } from '../client'
import { extRefsAgree } from './identity-groups'
import { oldestFirst, OTHER_MATCHES_SHOWN, SEARCH_PAGE } from './multiple-matches'
import type { MultipleMatches } from './multiple-matches'

export const IDENTIFIER_LABELS: Record<SearchableIdentifier, string> = {
  extRef: 'External Data Reference',
  email: 'Email',
  phone: 'Phone number'
}

/** The longer field names Segment's client reads search answers with (Qualtrics' documentation leaves it open). */
const SHOWN_AS: Record<SearchableIdentifier, string> = {
  extRef: 'externalDataReference',
  email: 'email',
  phone: 'phoneNumber'
}

/** An identifier as a search answer shows it, under either name; undefined when it shows none. */
export function shownIdentifier(record: ContactRecord, type: SearchableIdentifier): string | undefined {
  const shown = record as unknown as Record<string, unknown>
  const value = typeof shown[type] === 'string' ? shown[type] : shown[SHOWN_AS[type]]
  return typeof value === 'string' ? value : undefined
}

/** Contacts searches answered that were passed over as other people, over one person's lookup. */
export interface NearMatches {
  /** The first few ids, in the order the searches answered them. */
  contactIds: string[]
  /** How many distinct contacts were passed over. */
  count: number
  /** Identifiers whose search answered a full page with near matches on it: later pages were not compared. */
  fullPages: SearchableIdentifier[]
}

/** Gathers the near matches of one person's searches (each contact once, however many searches answer it). */
export class NearMatchLog {
  private readonly ids = new Set<string>()
  private readonly fullPages: SearchableIdentifier[] = []

  add(type: SearchableIdentifier, passedOver: ContactRecord[], fullPage: boolean): void {
    for (const { id } of passedOver) this.ids.add(id)
    if (fullPage && passedOver.length > 0 && !this.fullPages.includes(type)) this.fullPages.push(type)
  }

  has(contactId: string): boolean {
    return this.ids.has(contactId)
  }

  summary(): NearMatches | undefined {
    if (this.ids.size === 0) return undefined
    const contactIds = [...this.ids].slice(0, OTHER_MATCHES_SHOWN)
    return { contactIds, count: this.ids.size, fullPages: [...this.fullPages] }
  }
}

/** The person's own matches of one search: the oldest, and the others (ids) with how many there were. */
export interface OwnMatch {
  record: ContactRecord
  otherMatches?: string[]
  otherMatchCount?: number
}

/**
 * Every contact a search by this identifier answers. A search by extRef reads every page (near matches differ only
 * in case, so a page full of them is rare but must not hide the person's own); by email or phone one page of
 * SEARCH_PAGE, since the client offers no more (a full page is reported, see `NearMatches.fullPages`).
 */
async function searchAnswer(
  client: QualtricsClient,
  directoryId: string,
  type: SearchableIdentifier,
  value: string
): Promise<{ matches: ContactRecord[]; fullPage: boolean }> {
  if (type === 'extRef') return { matches: await client.searchContactsByExtRef(directoryId, value), fullPage: false }
  const matches = await client.searchContacts(directoryId, type, value, SEARCH_PAGE)
  return { matches, fullPage: matches.length >= SEARCH_PAGE }
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
  const { matches, fullPage } = await searchAnswer(client, directoryId, type, value)
  const found = distinct(matches)
  const own = found.filter((record) => extRefsAgree(shownIdentifier(record, 'extRef'), person.extRef))
  person.log.add(
    type,
    found.filter((record) => !own.includes(record)),
    fullPage
  )
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
    if (nearMatches.fullPages.length > 0) {
      const by = nearMatches.fullPages.map((type) => IDENTIFIER_LABELS[type]).join(' and ')
      sentences.push(
        `The search by ${by} answered a full page (${SEARCH_PAGE} contacts): contacts on later pages were not compared.`
      )
    }
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
