import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import type { ContactBody, QualtricsClient, SearchableIdentifier } from '../qualtrics-client'

export const MATCH_IDENTIFIERS: SearchableIdentifier[] = ['extRef', 'email', 'phone']
const LABELS: Record<SearchableIdentifier, string> = {
  extRef: 'External Data Reference',
  email: 'Email',
  phone: 'Phone number'
}

export interface ResolvedContact {
  contactId: string
  /** How the id was found: given in the event, matched by an identifier, or a contact created for it. */
  source: 'given' | 'created' | SearchableIdentifier
}

/** The identifiers to search by, in the user's order, that this contact has a value for. */
export function lookupPlan(contact: ContactBody, matchOrder: string[] | undefined): SearchableIdentifier[] {
  const order = (matchOrder && matchOrder.length > 0 ? matchOrder : MATCH_IDENTIFIERS).filter(
    (id): id is SearchableIdentifier => (MATCH_IDENTIFIERS as string[]).includes(id)
  )
  return [...new Set(order)].filter((id) => contact[id] !== undefined)
}

/**
 * Finds the contact by one identifier at a time, in the user's order: the first identifier that matches exactly
 * one contact wins; several matches is an error; no match on any creates the contact. Identifiers are tried one
 * by one rather than ANDed, so a contact whose email or phone changed is still found by its extRef.
 */
export async function resolveContactId(
  client: QualtricsClient,
  directoryId: string,
  contact: ContactBody,
  matchOrder: string[] | undefined
): Promise<ResolvedContact> {
  const plan = lookupPlan(contact, matchOrder)
  if (plan.length === 0) {
    throw new PayloadValidationError(
      'The contact cannot be looked up: give a Contact ID, or a value for one of the identifiers chosen under "Match contacts by".'
    )
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
