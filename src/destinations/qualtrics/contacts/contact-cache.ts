// eslint-disable-next-line no-restricted-syntax -- long cache-key parts, kept in memory; nothing hashed is sent
import { createHash } from 'crypto'
import type { SearchableIdentifier } from '../client'
import { extRefsAgree, normalizeIdentifier } from './identity-groups'

/** What is remembered about one identifier value: the contact it belongs to and, when known, that contact's extRef. */
export interface KnownContact {
  contactId: string
  extRef?: string
}

/**
 * One level of the contact cache, keyed by account, directory and identifier. The destination instance's memory (a
 * TimedCache in its state) is the first; the runtime's `stateContext` is the second (contact-levels.ts).
 */
export interface ContactCacheLevel {
  get(key: string): KnownContact | undefined
  set(key: string, contact: KnownContact): void
  delete(key: string): void
}

/**
 * Enough for a busy hour of distinct people, small enough to never matter to the process. Every part of a key and
 * the extRef kept are at most KEY_PART_MAX_CHARS (longer ones are replaced by a digest) and contact ids longer than
 * CONTACT_ID_MAX_CHARS are not kept, so an entry stays under 1 KB whatever the events hold: measured (Node 20,
 * heap after GC) 680 bytes an entry with 10 KB emails and extRefs and a 200-character directory, 34 MB when full.
 */
export const CONTACT_CACHE_MAX_ENTRIES = 50_000
/** Longer key parts (account, directory, identifier value) and extRefs are kept as a SHA-256 digest instead. */
export const KEY_PART_MAX_CHARS = 64
/** Qualtrics' ids are CID_ and 15 characters; anything much longer is not what the cache is for. */
export const CONTACT_ID_MAX_CHARS = 64
/** Well past Qualtrics' indexing lag, short enough that a contact deleted or merged elsewhere is soon looked up again. */
export const CONTACT_CACHE_TTL_MS = 60 * 60 * 1000

/**
 * A value as a key part: itself when short, else a digest. A short value that looks like a digest is digested too,
 * so that no value can pose as another's digest.
 */
export function boundedPart(value: string): string {
  if (value.length <= KEY_PART_MAX_CHARS && !value.startsWith('#')) return value
  return `#${createHash('sha256').update(value).digest('base64url')}`
}

/** What the cache holds for one identifier value, seen from one person (`KnownContacts.lookup`). */
export interface KnownLookup {
  /** The remembered contact, when it can be the person's. */
  contact?: KnownContact
  /** The remembered contact, when it belongs to another extRef: not the person's (see `extRefsAgree`). */
  otherPerson?: KnownContact
}

/**
 * One account's and directory's view of the cache, by identifier value (compared as `normalizeIdentifier` says).
 * A remembered contact is used only under the identity rule (`extRefsAgree`): a contact remembered for an email or
 * phone under another extRef (`abc` is not `ABC`) is not the person's, and the cache must not join what the batch
 * grouping keeps apart.
 */
export class KnownContacts {
  constructor(
    private readonly level: ContactCacheLevel,
    private readonly account: string,
    private readonly directoryId: string
  ) {}

  /** The remembered contact for this value, if it can be the person's whose extRef is `personExtRef`. */
  find(type: SearchableIdentifier, value: string, personExtRef?: string): KnownContact | undefined {
    return this.lookup(type, value, personExtRef).contact
  }

  /** The remembered contact for this value, and whether it can be the person's; one read of the cache. */
  lookup(type: SearchableIdentifier, value: string, personExtRef?: string): KnownLookup {
    const known = this.level.get(this.key(type, value))
    if (!known) return {}
    // Compared as kept: trimmed, and a long extRef as its digest (boundedPart), which is exact too.
    const person = personExtRef === undefined ? undefined : boundedPart(personExtRef.trim())
    return extRefsAgree(known.extRef, person) ? { contact: known } : { otherPerson: known }
  }

  /** The extRef is kept as compared (bounded, see `boundedPart`); an overlong contact id is not kept at all. */
  remember(type: SearchableIdentifier, value: string, contact: KnownContact): void {
    if (contact.contactId.length > CONTACT_ID_MAX_CHARS) return
    const extRef = contact.extRef === undefined ? {} : { extRef: boundedPart(contact.extRef.trim()) }
    this.level.set(this.key(type, value), { contactId: contact.contactId, ...extRef })
  }

  /** Forgets the value only if it still names `contactId` (another resolution may have replaced it since). */
  forget(type: SearchableIdentifier, value: string, contactId: string): void {
    const key = this.key(type, value)
    if (this.level.get(key)?.contactId === contactId) this.level.delete(key)
  }

  /** The key also names work under way on this identifier (`ContactsState.identifierLocks`): one person, one key. */
  key(type: SearchableIdentifier, value: string): string {
    const parts = [this.account, this.directoryId, type, normalizeIdentifier(type, value)]
    return parts.map(boundedPart).join('\u0000')
  }
}
