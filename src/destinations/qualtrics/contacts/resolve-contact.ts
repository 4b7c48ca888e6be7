import { PayloadValidationError } from '@segment/actions-core'
import type { ContactBody, ContactRecord, QualtricsClient, SearchableIdentifier } from '../client'
import type { KnownContacts } from './contact-cache'
import { fieldsListed, readingsNote } from './deduplication'
import { IDENTIFIERS } from './identity-groups'
import { DEFAULT_MULTIPLE_MATCHES } from './multiple-matches'
import type { MultipleMatches } from './multiple-matches'
import { NearMatchLog, searchOwnMatch } from './person-search'
import type { NearMatches } from './person-search'

export const MATCH_IDENTIFIERS: SearchableIdentifier[] = IDENTIFIERS
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
  /** Contacts the searches answered that are other people's (another extRef): passed over, never used. */
  nearMatches?: NearMatches
  /**
   * Set when a create came back with the id of a contact known to be another person's (passed over by a search, or
   * remembered under another extRef): the directory's deduplication joined the person to it, which the destination
   * can only report.
   */
  joinedOtherPerson?: boolean
  /** Why the deduplication lookup searched instead of trusting a create (the directory's rules may not match). */
  lookupNote?: string
}

/** What looking a person up without creating found: their contact or nothing, and the near matches passed over. */
export interface FindOutcome {
  found?: ResolvedContact
  nearMatches?: NearMatches
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

/** One person's lookup: what it has seen so far, for the result and for checking what a create answers. */
interface LookupState {
  lookup: LookupOptions
  contact: ContactBody
  nearMatches: NearMatchLog
  /** Contacts the cache remembers for the person's values under another extRef. */
  otherPeople: Set<string>
}

/** Every identifier value to try, in the user's order: the person's values per identifier, or the contact's own. */
function stepsOf(contact: ContactBody, matchOrder: string[] | undefined, lookup: LookupOptions): Step[] {
  return requireLookupPlan(contact, matchOrder).flatMap((type) => {
    const values = lookup.values?.[type]
    return (values && values.length > 0 ? values : [contact[type] as string]).map((value) => ({ type, value }))
  })
}

function knownAt(step: Step, state: LookupState): ResolvedContact | undefined {
  const { contact, otherPerson } = state.lookup.known?.lookup(step.type, step.value, state.contact.extRef) ?? {}
  if (otherPerson) state.otherPeople.add(otherPerson.contactId)
  return contact && { contactId: contact.contactId, source: 'cached' }
}

/** One search, as `searchOwnMatch` does it, as a resolved contact. */
async function searchAt(
  client: QualtricsClient,
  directoryId: string,
  step: Step,
  state: LookupState
): Promise<ResolvedContact | undefined> {
  const own = await searchOwnMatch(client, directoryId, step, {
    extRef: state.contact.extRef,
    multipleMatches: state.lookup.multipleMatches ?? DEFAULT_MULTIPLE_MATCHES,
    log: state.nearMatches
  })
  if (!own) return undefined
  const { record, ...others } = own
  return { contactId: record.id, source: step.type, matchedBy: { ...step, record }, ...others }
}

async function findBySteps(
  client: QualtricsClient,
  directoryId: string,
  steps: Step[],
  state: LookupState
): Promise<ResolvedContact | undefined> {
  for (const step of steps) {
    const found = knownAt(step, state) ?? (await searchAt(client, directoryId, step, state))
    if (found) return found
  }
  return undefined
}

const newLookup = (contact: ContactBody, lookup: LookupOptions): LookupState => ({
  lookup,
  contact,
  nearMatches: new NearMatchLog(),
  otherPeople: new Set()
})

/** The near matches passed over, on what the lookup answers. */
function withNearMatches<T extends ResolvedContact | FindOutcome>(result: T, state: LookupState): T {
  const nearMatches = state.nearMatches.summary()
  return nearMatches ? { ...result, nearMatches } : result
}

/** A contact the lookup wrote; a known other person's id means the directory's deduplication joined them. */
async function created(
  client: QualtricsClient,
  directoryId: string,
  source: 'created' | 'deduplication',
  state: LookupState
): Promise<ResolvedContact> {
  const contactId = await client.createContact(directoryId, state.contact)
  const joined = state.nearMatches.has(contactId) || state.otherPeople.has(contactId)
  return withNearMatches({ contactId, source, ...(joined ? { joinedOtherPerson: true } : {}) }, state)
}

/**
 * The existing contact the person's identifiers name, as `resolveContactId` finds it (known to this process first,
 * then a search per value), or undefined when none matches: it never creates one.
 */
export async function findContactId(
  client: QualtricsClient,
  directoryId: string,
  contact: ContactBody,
  matchOrder: string[] | undefined,
  lookup: LookupOptions = { mode: 'search' }
): Promise<FindOutcome> {
  const state = newLookup(contact, lookup)
  const found = await findBySteps(client, directoryId, stepsOf(contact, matchOrder, lookup), state)
  return withNearMatches(found ? { found } : {}, state)
}

/**
 * Finds the contact by one identifier value at a time, in the user's order: the first that this process already
 * knows, or that a search matches, wins; several matches take the oldest or fail, as chosen; no match on any
 * creates the contact. Identifiers are tried one by one rather than ANDed, so a contact whose email or phone changed
 * is still found by its extRef. Only a contact that can be the person counts as a match (`extRefsAgree`): what a
 * search answers for another extRef is passed over and reported (`nearMatches`).
 *
 * With `deduplication`, when the directory deduplicates on fields this contact has every one of, a single create
 * lets Qualtrics match it: one request instead of a search and a create, but a matched contact is updated with the
 * event's contact fields. Otherwise it searches as above. Qualtrics' matching ignores case and follows the
 * directory's rules (an email rule joins two extRefs sharing an email), so a create, in either mode, may come back
 * with another person's contact; when the lookup knows that contact as another person's, `joinedOtherPerson` says so.
 */
export async function resolveContactId(
  client: QualtricsClient,
  directoryId: string,
  contact: ContactBody,
  matchOrder: string[] | undefined,
  lookup: LookupOptions = { mode: 'search' }
): Promise<ResolvedContact> {
  const steps = stepsOf(contact, matchOrder, lookup)
  const state = newLookup(contact, lookup)
  if (lookup.mode === 'deduplication' && lookup.deduplicatedOn) {
    const known = steps.map((step) => knownAt(step, state)).find((found) => found !== undefined)
    if (known) return known
    const fields = await lookup.deduplicatedOn()
    const missing = fields.filter((field) => contact[field] === undefined)
    if (fields.length > 0 && missing.length === 0) return created(client, directoryId, 'deduplication', state)
    const note = deduplicationSkipped(directoryId, fields, missing)
    const resolved = await searchThenCreate(client, directoryId, steps, state)
    return { ...resolved, lookupNote: note }
  }
  return searchThenCreate(client, directoryId, steps, state)
}

async function searchThenCreate(
  client: QualtricsClient,
  directoryId: string,
  steps: Step[],
  state: LookupState
): Promise<ResolvedContact> {
  const found = await findBySteps(client, directoryId, steps, state)
  return found ? withNearMatches(found, state) : created(client, directoryId, 'created', state)
}

/** Why the deduplication lookup searched: a create would be matched under one reading of the rules at most, or none. */
function deduplicationSkipped(directoryId: string, fields: (keyof ContactBody)[], missing: (keyof ContactBody)[]) {
  const searched = 'the contact was searched for instead of trusting a create (Directory deduplication lookup).'
  if (fields.length === 0) return `Directory ${directoryId} does not deduplicate contacts: ${searched}`
  if (fields.length === 1) {
    return `Directory ${directoryId} deduplicates on ${fieldsListed(
      fields
    )}, which this event has no value for: ${searched}`
  }
  return `${readingsNote({ directoryId, fields, missing })}; ${searched}`
}
