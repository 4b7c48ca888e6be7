import { TEXT_FIELDS } from './contact-fields'
import type { EmbeddedValue, TextField } from './contact-fields'
import { notFound } from './errors'
import { newId } from './plain-object'
import type { SeedContact } from './seed-types'

export interface StoredContact extends Omit<SeedContact, 'id' | 'embeddedData'> {
  id: string
  embeddedData: Record<string, EmbeddedValue>
  creationDate: string
  lastModifiedDate: string
}

export interface ContactFilter {
  filterType: TextField
  value: string
}

const now = () => new Date().toISOString()

/**
 * One directory's contacts, its search index and its merge rules. Reads made through the API can be given an
 * `indexedUpTo` moment on the sandbox clock: contacts created after it are not in the index yet (Qualtrics'
 * read-after-write lag). Writes by id and deduplication see every contact.
 */
export class ContactBook {
  private readonly contacts = new Map<string, StoredContact>()
  /** Lower-cased value → ids, per searchable field: searches and deduplication stay fast at 10,000s of contacts. */
  private readonly index = new Map<TextField, Map<string, Set<string>>>(TEXT_FIELDS.map((field) => [field, new Map()]))
  /** When each contact created through the API was created (sandbox clock); seeded contacts are indexed from the start. */
  private readonly createdAt = new Map<string, number>()

  constructor(
    readonly directoryId: string,
    /** The merge rules, in order: each lists the contact fields that must all match. */
    private readonly rules: TextField[][]
  ) {}

  get size(): number {
    return this.contacts.size
  }

  has(contactId: string): boolean {
    return this.contacts.has(contactId)
  }

  all(): StoredContact[] {
    return [...this.contacts.values()]
  }

  /** A seeded contact: there before the sandbox started, so never hidden by the index lag. */
  seed(fields: SeedContact, contactId?: string): StoredContact {
    // A repeated id would replace the first contact but leave its values in the search index.
    if (contactId !== undefined && this.contacts.has(contactId)) {
      throw new Error(`Sandbox seed: contact ${contactId} appears twice in directory ${this.directoryId}`)
    }
    return this.insert(fields, contactId)
  }

  /**
   * Creates a contact at `at` (sandbox clock), or, when a merge rule matches an existing contact, updates that one
   * and returns it, as Qualtrics' automatic deduplication does.
   */
  create(fields: SeedContact, at: number): { contact: StoredContact; deduplicated: boolean } {
    const match = this.deduplicationMatch(fields)
    if (match) {
      this.apply(match, fields)
      return { contact: match, deduplicated: true }
    }
    const contact = this.insert(fields)
    this.createdAt.set(contact.id, at)
    return { contact, deduplicated: false }
  }

  /** One contact by id; a 404 when there is none, or when it was created after `indexedUpTo`. */
  get(contactId: string, indexedUpTo?: number): StoredContact {
    const contact = this.contacts.get(contactId)
    if (!contact || !this.isIndexed(contactId, indexedUpTo)) throw notFound(`Contact ${contactId} not found.`)
    return contact
  }

  /** A PUT: the fields given replace those stored; `embeddedData` merges key by key, or replaces the stored whole. */
  update(contactId: string, fields: SeedContact, replaceEmbeddedData = false): void {
    const contact = this.get(contactId)
    if (replaceEmbeddedData && fields.embeddedData) contact.embeddedData = {}
    this.apply(contact, fields)
  }

  /**
   * Removes a contact by id, from the search index too; a 404 when there is none. Like a PUT by id it reaches a
   * contact the index does not show yet.
   */
  delete(contactId: string): void {
    const contact = this.contacts.get(contactId)
    if (!contact) throw notFound(`Contact ${contactId} not found.`)
    for (const field of TEXT_FIELDS) {
      if (contact[field] !== undefined) this.index.get(field)!.get(contact[field]!.toLowerCase())?.delete(contactId)
    }
    this.contacts.delete(contactId)
    this.createdAt.delete(contactId)
  }

  /** Contacts matching every filter (`eq`, case-insensitive), in creation order, leaving out those not indexed yet. */
  search(filters: ContactFilter[], indexedUpTo?: number): StoredContact[] {
    let ids: string[] | undefined
    for (const filter of filters) {
      const matching = this.index.get(filter.filterType)?.get(filter.value.toLowerCase()) ?? new Set<string>()
      ids = ids === undefined ? [...matching] : ids.filter((contactId) => matching.has(contactId))
    }
    const found = new Set(ids ?? this.contacts.keys())
    return [...this.contacts.keys()]
      .filter((contactId) => found.has(contactId) && this.isIndexed(contactId, indexedUpTo))
      .map((contactId) => this.contacts.get(contactId)!)
  }

  private isIndexed(contactId: string, indexedUpTo: number | undefined): boolean {
    const created = this.createdAt.get(contactId)
    return indexedUpTo === undefined || created === undefined || created <= indexedUpTo
  }

  /**
   * The first existing contact a merge rule matches: rules are tried in order (an implicit OR), every field of a
   * rule must match, and a rule is skipped when the incoming contact lacks one of its fields.
   */
  private deduplicationMatch(fields: SeedContact): StoredContact | undefined {
    for (const rule of this.rules) {
      if (rule.some((field) => !fields[field])) continue
      const [match] = this.search(rule.map((field) => ({ filterType: field, value: fields[field] as string })))
      if (match) return match
    }
    return undefined
  }

  private insert(fields: SeedContact, contactId = newId('CID')): StoredContact {
    const stamp = now()
    const contact: StoredContact = { id: contactId, embeddedData: {}, creationDate: stamp, lastModifiedDate: stamp }
    this.contacts.set(contact.id, contact)
    this.apply(contact, fields)
    return contact
  }

  private apply(contact: StoredContact, fields: SeedContact): void {
    for (const field of TEXT_FIELDS) {
      const value = fields[field]
      if (value === undefined) continue
      const index = this.index.get(field)!
      if (contact[field] !== undefined) index.get(contact[field]!.toLowerCase())?.delete(contact.id)
      contact[field] = value
      const key = value.toLowerCase()
      if (!index.has(key)) index.set(key, new Set())
      index.get(key)!.add(contact.id)
    }
    if (fields.unsubscribed !== undefined) contact.unsubscribed = fields.unsubscribed
    if (fields.embeddedData) Object.assign(contact.embeddedData, fields.embeddedData)
    contact.lastModifiedDate = now()
  }
}
