import { ContactBook } from './contact-book'
import { CRITERIA_TO_FIELD, validateContactBody } from './contact-fields'
import { MailingLists } from './mailing-lists'
import { DEDUPLICATION_FIELDS, deduplicationRulesOf } from './seed-types'
import type { DeduplicationCriteria, DeduplicationField, SeedDirectory } from './seed-types'
import type { Readings } from './readings'
import type { StoredTransaction } from './transactions'

/** One XM Directory: its merge rules, contacts, mailing lists and transactions. */
export interface DirectoryState {
  directoryId: string
  name: string
  isDefault: boolean
  deduplicationRules: DeduplicationField[][]
  /** How `deduplicationCriteria` shows several flags: one rule, or one rule per flag (./readings.ts). */
  deduplicationFlags: Readings['deduplicationFlags']
  mailingLists: MailingLists
  contacts: ContactBook
  transactions: StoredTransaction[]
}

/** The store's clocks a directory needs: the sandbox time, and how far the search index has caught up. */
export interface DirectoryClock {
  now: () => number
  indexedUpTo: () => number | undefined
}

/** A seeded directory, its contacts and list members checked as the API would check them. */
export function directoryFromSeed(
  seeded: SeedDirectory,
  clock: DirectoryClock,
  deduplicationFlags: Readings['deduplicationFlags']
): DirectoryState {
  const rules = deduplicationRulesOf(seeded, deduplicationFlags === 'oneRulePerFlag')
  const { directoryId } = seeded
  const contacts = new ContactBook(
    directoryId,
    rules.map((rule) => rule.map((field) => CRITERIA_TO_FIELD[field]))
  )
  const directory: DirectoryState = {
    directoryId,
    name: seeded.name ?? directoryId,
    isDefault: seeded.isDefault ?? false,
    deduplicationRules: rules,
    deduplicationFlags,
    mailingLists: new MailingLists({ directoryId, contacts, ...clock }),
    contacts,
    transactions: []
  }
  for (const { id, ...contact } of seeded.contacts ?? []) contacts.seed(validateContactBody(contact), id)
  directory.mailingLists.seed(seeded.mailingLists ?? [], Date.now())
  return directory
}

/** Every flag spelled out, as Qualtrics lists them: the given rule's fields true, the others false. */
function criteriaOf(rule: DeduplicationField[] = []): Required<DeduplicationCriteria> {
  return Object.fromEntries(
    DEDUPLICATION_FIELDS.map((field) => [field, rule.includes(field)])
  ) as Required<DeduplicationCriteria>
}

/**
 * `deduplicationCriteria` for a directory's rules; what Qualtrics reports for several is not documented. As one rule
 * (the `oneRule` reading) the flags are the first rule's, so clients that read them as one rule keep working; as
 * one rule per flag (`oneRulePerFlag`) every field some rule compares is flagged.
 */
function listedCriteria(d: DirectoryState): Required<DeduplicationCriteria> {
  return criteriaOf(d.deduplicationFlags === 'oneRulePerFlag' ? d.deduplicationRules.flat() : d.deduplicationRules[0])
}

/** A directory as `GET /directories` lists it. */
export function directoryListing(d: DirectoryState) {
  return {
    directoryId: d.directoryId,
    name: d.name,
    contactCount: d.contacts.size,
    isDefault: d.isDefault,
    deduplicationCriteria: listedCriteria(d)
  }
}

/** A directory in `/__sandbox/state`: every rule, list and contact, indexed yet or not. */
export function directorySnapshot(d: DirectoryState) {
  return {
    directoryId: d.directoryId,
    name: d.name,
    deduplicationCriteria: listedCriteria(d),
    deduplicationRules: d.deduplicationRules.map((rule) => criteriaOf(rule)),
    mailingLists: d.mailingLists.snapshot(),
    contacts: d.contacts.all(),
    transactions: d.transactions
  }
}
