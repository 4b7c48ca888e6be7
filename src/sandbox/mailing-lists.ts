import type { ContactBook, StoredContact } from './contact-book'
import { validateContactBody } from './contact-fields'
import { ApiError, badRequest } from './errors'
import { isObject, newId } from './plain-object'
import type { SeedMailingList } from './seed-types'

/** The sandbox's own 404 codes: Qualtrics documents only GET_CONTACT_FROM_LIST_NOT_FOUND (a GET of a non-member). */
export const LIST_NOT_FOUND = 'SANDBOX_LIST_NOT_FOUND'
export const NOT_A_MEMBER = 'SANDBOX_NOT_A_MEMBER'
/** Qualtrics pages list members 50 at a time at most (other listings: 100). */
export const MAX_MEMBER_PAGE_SIZE = 50
/** Characters in a list's name: Qualtrics publishes no limit, so this one is the sandbox's own. */
const NAME_LIMIT = 255

interface Membership {
  contactLookupId: string
  /** Sandbox clock: a member added within the index lag is not listed yet (seeded members: -Infinity). */
  addedAt: number
}

type MemberEntry = [contactId: string, membership: Membership]

interface MailingList {
  mailingListId: string
  name: string
  /** Epoch milliseconds, as Qualtrics reports them. */
  creationDate: number
  lastModifiedDate: number
  /** Contact id → membership, in the order members joined. */
  members: Map<string, Membership>
}

/** What the lists need from their directory: its contacts, the sandbox clock and the index's reach. */
export interface ListContext {
  directoryId: string
  contacts: ContactBook
  now(): number
  /** The latest moment the index has caught up with, or undefined when there is no lag. */
  indexedUpTo(): number | undefined
}

const listNotFound = (mailingListId: string, directoryId: string) =>
  new ApiError(404, LIST_NOT_FOUND, `Mailing list ${mailingListId} not found in directory ${directoryId}.`)

/** `{name}`: a non-empty name; nothing else is modelled. */
function listNameOf(body: unknown): string {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object with "name".')
  const unknown = Object.keys(body).find((key) => key !== 'name')
  if (unknown !== undefined) throw badRequest(`Unrecognized field "${unknown}".`)
  if (typeof body.name !== 'string' || body.name.trim() === '' || [...body.name].length > NAME_LIMIT) {
    throw badRequest(`"name" must be a non-empty string of up to ${NAME_LIMIT} characters.`)
  }
  return body.name
}

/** A list member as Qualtrics lists one: the contact's fields, its list lookup id and its list opt-out. */
function memberElement(contact: StoredContact, membership: Membership, includeEmbedded: boolean) {
  const { id, extRef, email, phone, firstName, lastName, language, unsubscribed, embeddedData } = contact
  return {
    contactId: id,
    firstName,
    lastName,
    email,
    phone,
    extRef,
    language,
    unsubscribed: unsubscribed ?? false,
    mailingListUnsubscribed: false,
    contactLookupId: membership.contactLookupId,
    ...(includeEmbedded ? { embeddedData } : {})
  }
}

/**
 * One directory's mailing lists and who is in them. Adding through the API creates the contact with the directory's
 * merge rules (Qualtrics: the only way to put a contact in a list; without a matching rule a duplicate is made).
 */
export class MailingLists {
  private readonly lists = new Map<string, MailingList>()

  constructor(private readonly context: ListContext) {}

  /** Seeded lists; members name contacts already seeded, so this runs after the contacts. */
  seed(seeded: SeedMailingList[], created: number): void {
    for (const { mailingListId, name, members = [] } of seeded) {
      const list = this.insert(mailingListId, name ?? mailingListId, created)
      for (const contactId of members)
        list.members.set(contactId, { contactLookupId: newId('CGC'), addedAt: -Infinity })
    }
  }

  has(mailingListId: string): boolean {
    return this.lists.has(mailingListId)
  }

  create(body: unknown): { id: string } {
    return { id: this.insert(newId('CG'), listNameOf(body), Date.now()).mailingListId }
  }

  /** As `GET …/mailinglists` lists them; `contactCount` counts every member, listed yet or not. */
  listing() {
    return [...this.lists.values()].map((list) => this.describe(list))
  }

  get(mailingListId: string) {
    return this.describe(this.list(mailingListId))
  }

  /** The members the index shows, in joining order (a member added within the lag is missing yet). */
  members(mailingListId: string): MemberEntry[] {
    const upTo = this.context.indexedUpTo()
    return [...this.list(mailingListId).members].filter(([, joined]) => upTo === undefined || joined.addedAt <= upTo)
  }

  /** Members as Qualtrics lists them (built per page: a list may hold 10,000s). */
  describeMembers(entries: MemberEntry[], includeEmbedded: boolean) {
    const { contacts } = this.context
    return entries.map(([contactId, joined]) => memberElement(contacts.get(contactId), joined, includeEmbedded))
  }

  /** `POST …/mailinglists/{CG}/contacts`: the contact is created (or merged) in the directory, then made a member. */
  addContact(mailingListId: string, body: unknown): { id: string; contactLookupId: string } {
    this.list(mailingListId)
    const { contact } = this.context.contacts.create(validateContactBody(body), this.context.now())
    return { id: contact.id, contactLookupId: this.add(mailingListId, contact.id) }
  }

  /** Makes an existing contact a member (once: a member keeps its lookup id) and returns its `contactLookupId`. */
  add(mailingListId: string, contactId: string): string {
    const list = this.list(mailingListId)
    if (!this.context.contacts.has(contactId)) {
      throw new ApiError(404, NOT_A_MEMBER, `Contact ${contactId} not found in directory ${this.context.directoryId}.`)
    }
    const existing = list.members.get(contactId)
    if (existing) return existing.contactLookupId
    const membership = { contactLookupId: newId('CGC'), addedAt: this.context.now() }
    list.members.set(contactId, membership)
    list.lastModifiedDate = Date.now()
    return membership.contactLookupId
  }

  /** Ends one membership; the contact stays in the directory. */
  remove(mailingListId: string, contactId: string): void {
    const list = this.list(mailingListId)
    if (!list.members.delete(contactId)) {
      throw new ApiError(404, NOT_A_MEMBER, `Contact ${contactId} is not in mailing list ${mailingListId}.`)
    }
    list.lastModifiedDate = Date.now()
  }

  /** How many lists a contact is in. */
  membershipCount(contactId: string): number {
    return [...this.lists.values()].filter((list) => list.members.has(contactId)).length
  }

  /** Takes a deleted or erased contact out of every list. */
  forget(contactId: string): void {
    for (const list of this.lists.values()) list.members.delete(contactId)
  }

  /** `mailingListMembership` on a contact: keyed by list id, with the memberships the index shows. */
  membershipOf(contactId: string) {
    const upTo = this.context.indexedUpTo()
    const entries = [...this.lists.values()].flatMap((list) => {
      const membership = list.members.get(contactId)
      if (!membership || (upTo !== undefined && membership.addedAt > upTo)) return []
      return [
        [list.mailingListId, { name: list.name, contactLookupId: membership.contactLookupId, unsubscribed: false }]
      ]
    })
    return Object.fromEntries(entries)
  }

  /** For `/__sandbox/state`: every list with every member, listed yet or not. */
  snapshot() {
    return [...this.lists.values()].map((list) => ({
      ...this.describe(list),
      members: [...list.members].map(([contactId, { contactLookupId }]) => ({ contactId, contactLookupId }))
    }))
  }

  private insert(mailingListId: string, name: string, created: number): MailingList {
    const list = { mailingListId, name, creationDate: created, lastModifiedDate: created, members: new Map() }
    this.lists.set(mailingListId, list)
    return list
  }

  private describe(list: MailingList) {
    const { mailingListId, name, creationDate, lastModifiedDate, members } = list
    return { mailingListId, name, ownerId: 'UR_sandbox', creationDate, lastModifiedDate, contactCount: members.size }
  }

  private list(mailingListId: string): MailingList {
    const list = this.lists.get(mailingListId)
    if (!list) throw listNotFound(mailingListId, this.context.directoryId)
    return list
  }
}
