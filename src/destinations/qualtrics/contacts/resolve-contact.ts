import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import type { ContactBody, ContactRecord, QualtricsClient, SearchableIdentifier } from '../client'
import type { KnownContacts } from './contact-cache'
import { IDENTIFIERS } from './identity-groups'
import {
  DEFAULT_MULTIPLE_MATCHES,
  oldestFirst,
  OTHER_MATCHES_SHOWN,
  SEARCH_PAGE_FOR_OLDEST,
  SEARCH_PAGE_TO_FAIL,
  type MultipleMatches
} from './multiple-matches'

export const MATCH_IDENTIFIERS: SearchableIdentifier[] = IDENTIFIERS
const LABELS: Record<SearchableIdentifier, string> = {
  extRef: 'External Data Reference',
  email: 'Email',
  phone: 'Phone number'
}
export type ContactLookup = 'search' | 'deduplication'

export interface ResolvedContact {
  contactId: string
  /**
   * How the id was found: given, matched by an identifier, created, matched by the directory's deduplication, or
   * known to this process (the contact cache).
   */
  source: 'given' | 'created' | 'deduplication' | 'cached' | SearchableIdentifier
  /** The identifier value a search matched, and the contact as the search showed it. */
  matchedBy?: { type: SearchableIdentifier; value: string; record: ContactRecord }
  /** When several contacts matched and the oldest was used: some of the others, and how many there were. */
  otherMatches?: string[]
  otherMatchCount?: number
}

export interface LookupOptions {
  mode: ContactLookup
  /** The fields the directory deduplicates on; read only when the mode needs them. */
  deduplicatedOn?: () => Promise<(keyof ContactBody)[]>
  multipleMatches?: MultipleMatches
  /** Every value the person is known by, per identifier, in batch order; by default the contact's own. */
  values?: Partial<Record<SearchableIdentifier, string[]>>
  /** Contacts this process already knows: a known identifier value stands in for its search. */
  known?: KnownContacts
}

/** The identifiers to search by, in the user's order, that this contact has a value for. */
export function lookupPlan(contact: ContactBody, matchOrder: string[] | undefined): SearchableIdentifier[] {
  const order = (matchOrder && matchOrder.length > 0 ? matchOrder : MATCH_IDENTIFIERS).filter(
    (id): id is SearchableIdentifier => (MATCH_IDENTIFIERS as string[]).includes(id)
  )
  return [...new Set(order)].filter((id) => contact[id] !== undefined)
}

export function requireLookupPlan(contact: ContactBody, matchOrder: string[] | undefined): SearchableIdentifier[] {
  const plan = lookupPlan(contact, matchOrder)
  if (plan.length === 0) {
    throw new PayloadValidationError(
      'The contact cannot be looked up: give a Contact ID, or a value for one of the identifiers chosen under "Match contacts by".'
    )
  }
  return plan
}

type Step = { type: SearchableIdentifier; value: string }

/** One search: the contact it names, nothing, or (several matches) the oldest or an error as the user chose. */
async function searchStep(
  client: QualtricsClient,
  directoryId: string,
  { type, value }: Step,
  multipleMatches: MultipleMatches
): Promise<ResolvedContact | undefined> {
  const pageSize = multipleMatches === 'fail' ? SEARCH_PAGE_TO_FAIL : SEARCH_PAGE_FOR_OLDEST
  const matches = await client.searchContacts(directoryId, type, value, pageSize)
  if (matches.length === 0) return undefined
  if (matches.length > 1 && multipleMatches === 'fail') {
    throw new IntegrationError(
      `Several contacts in directory ${directoryId} have ${LABELS[type]} "${value}": give a Contact ID, or match by an identifier that is unique.`,
      'AMBIGUOUS_CONTACT',
      409
    )
  }
  const [chosen, ...others] = oldestFirst(matches)
  return {
    contactId: chosen.id,
    source: type,
    matchedBy: { type, value, record: chosen },
    ...(others.length > 0
      ? { otherMatches: others.slice(0, OTHER_MATCHES_SHOWN).map((c) => c.id), otherMatchCount: others.length }
      : {})
  }
}

/** Every identifier value to try, in the user's order: the person's values per identifier, or the contact's own. */
function stepsOf(contact: ContactBody, matchOrder: string[] | undefined, lookup: LookupOptions): Step[] {
  return requireLookupPlan(contact, matchOrder).flatMap((type) => {
    const values = lookup.values?.[type]
    return (values && values.length > 0 ? values : [contact[type] as string]).map((value) => ({ type, value }))
  })
}

function knownAt(step: Step, contact: ContactBody, lookup: LookupOptions): ResolvedContact | undefined {
  const known = lookup.known?.find(step.type, step.value, contact.extRef)
  return known && { contactId: known.contactId, source: 'cached' }
}

async function findBySteps(
  client: QualtricsClient,
  directoryId: string,
  contact: ContactBody,
  steps: Step[],
  lookup: LookupOptions
): Promise<ResolvedContact | undefined> {
  for (const step of steps) {
    const found =
      knownAt(step, contact, lookup) ??
      (await searchStep(client, directoryId, step, lookup.multipleMatches ?? DEFAULT_MULTIPLE_MATCHES))
    if (found) return found
  }
  return undefined
}

/**
 * The existing contact the person's identifiers name, as `resolveContactId` finds it (known to this process first,
 * then a search per value), or undefined when none matches: it never creates one.
 */
export function findContactId(
  client: QualtricsClient,
  directoryId: string,
  contact: ContactBody,
  matchOrder: string[] | undefined,
  lookup: LookupOptions = { mode: 'search' }
): Promise<ResolvedContact | undefined> {
  return findBySteps(client, directoryId, contact, stepsOf(contact, matchOrder, lookup), lookup)
}

/**
 * Finds the contact by one identifier value at a time, in the user's order: the first that this process already
 * knows, or that a search matches, wins; several matches take the oldest or fail, as chosen; no match on any
 * creates the contact. Identifiers are tried one by one rather than ANDed, so a contact whose email or phone changed
 * is still found by its extRef.
 *
 * With `deduplication`, when the directory deduplicates on fields this contact has every one of, a single create
 * lets Qualtrics match it: one request instead of a search and a create, but a matched contact is updated with the
 * event's contact fields. Otherwise it searches as above.
 */
export async function resolveContactId(
  client: QualtricsClient,
  directoryId: string,
  contact: ContactBody,
  matchOrder: string[] | undefined,
  lookup: LookupOptions = { mode: 'search' }
): Promise<ResolvedContact> {
  const steps = stepsOf(contact, matchOrder, lookup)
  if (lookup.mode === 'deduplication' && lookup.deduplicatedOn) {
    const known = steps.map((step) => knownAt(step, contact, lookup)).find((found) => found !== undefined)
    if (known) return known
    const fields = await lookup.deduplicatedOn()
    if (fields.length > 0 && fields.every((field) => contact[field] !== undefined)) {
      return { contactId: await client.createContact(directoryId, contact), source: 'deduplication' }
    }
  }
  const found = await findBySteps(client, directoryId, contact, steps, lookup)
  return found ?? { contactId: await client.createContact(directoryId, contact), source: 'created' }
}
