import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import type { ContactBody, QualtricsClient, SearchableIdentifier } from '../client'

export const MATCH_IDENTIFIERS: SearchableIdentifier[] = ['extRef', 'email', 'phone']
const LABELS: Record<SearchableIdentifier, string> = {
  extRef: 'External Data Reference',
  email: 'Email',
  phone: 'Phone number'
}
/** `deduplicationCriteria` names (GET /directories) → the contact fields they compare. */
const CRITERIA_FIELDS: Record<string, keyof ContactBody> = {
  externalDataReference: 'extRef',
  email: 'email',
  phone: 'phone',
  firstName: 'firstName',
  lastName: 'lastName'
}

export type ContactLookup = 'search' | 'deduplication'

export interface ResolvedContact {
  contactId: string
  /** How the id was found: given, matched by an identifier, created, or matched by the directory's deduplication. */
  source: 'given' | 'created' | 'deduplication' | SearchableIdentifier
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

/** The contact fields a directory deduplicates on, from its `deduplicationCriteria` (empty: it does not). */
export async function deduplicationFields(
  client: QualtricsClient,
  directoryId: string
): Promise<(keyof ContactBody)[]> {
  const directory = (await client.listDirectories()).find((d) => d.directoryId === directoryId)
  return Object.entries(directory?.deduplicationCriteria ?? {})
    .filter(([name, on]) => on === true && name in CRITERIA_FIELDS)
    .map(([name]) => CRITERIA_FIELDS[name])
}

/**
 * Finds the contact by one identifier at a time, in the user's order: the first identifier that matches exactly
 * one contact wins; several matches is an error; no match on any creates the contact. Identifiers are tried one
 * by one rather than ANDed, so a contact whose email or phone changed is still found by its extRef.
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
  lookup: { mode: ContactLookup; deduplicatedOn?: () => Promise<(keyof ContactBody)[]> } = { mode: 'search' }
): Promise<ResolvedContact> {
  const plan = requireLookupPlan(contact, matchOrder)
  if (lookup.mode === 'deduplication' && lookup.deduplicatedOn) {
    const fields = await lookup.deduplicatedOn()
    if (fields.length > 0 && fields.every((field) => contact[field] !== undefined)) {
      return { contactId: await client.createContact(directoryId, contact), source: 'deduplication' }
    }
  }
  for (const identifier of plan) {
    const matches = await client.searchContacts(directoryId, identifier, contact[identifier] as string, 2)
    if (matches.length > 1) {
      throw new IntegrationError(
        `Several contacts in directory ${directoryId} have ${LABELS[identifier]} "${contact[identifier]}": give a Contact ID, or match by an identifier that is unique.`,
        'AMBIGUOUS_CONTACT',
        409
      )
    }
    if (matches.length === 1) return { contactId: matches[0].id, source: identifier }
  }
  return { contactId: await client.createContact(directoryId, contact), source: 'created' }
}

/** Searches (then creates) in flight in this process, by account and identity. */
const pendingResolutions = new Map<string, Promise<ResolvedContact>>()

/**
 * Search-then-create is not atomic: two events for one new person resolved at the same moment (two batches, or a
 * batch and a single event) would both find nothing and both create the contact, in a directory that does not
 * deduplicate. Callers asking for the same identity while a resolution is pending share it, which closes that
 * window within one process (a second process can still race; the README says so). Nothing is kept once settled.
 */
export function resolveShared(key: string, resolve: () => Promise<ResolvedContact>): Promise<ResolvedContact> {
  const pending = pendingResolutions.get(key)
  if (pending) return pending
  const started = resolve().finally(() => pendingResolutions.delete(key))
  pendingResolutions.set(key, started)
  return started
}
