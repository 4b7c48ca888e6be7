import { ContactBook } from './contact-book'
import { CRITERIA_TO_FIELD, validateContactBody } from './contact-fields'
import { MailingLists } from './mailing-lists'
import { DEDUPLICATION_FIELDS, deduplicationRulesOf } from './seed-types'
import type { DeduplicationCriteria, DeduplicationField, SeedDirectory } from './seed-types'
import type { StoredTransaction } from './transactions'

/** One XM Directory: its merge rules, contacts, mailing lists and transactions. */
export interface DirectoryState {
  directoryId: string
  name: string
  isDefault: boolean
  deduplicationRules: DeduplicationField[][]
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
export function directoryFromSeed(seeded: SeedDirectory, clock: DirectoryClock): DirectoryState {
  const rules = deduplicationRulesOf(seeded)
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
 * A directory as `GET /directories` lists it. `deduplicationCriteria` is the first merge rule: what Qualtrics reports
 * for several rules is not documented, and clients that read this field keep working.
 */
export function directoryListing(d: DirectoryState) {
  return {
    directoryId: d.directoryId,
    name: d.name,
    contactCount: d.contacts.size,
    isDefault: d.isDefault,
    deduplicationCriteria: criteriaOf(d.deduplicationRules[0])
  }
}

/** A directory in `/__sandbox/state`: every rule, list and contact, indexed yet or not. */
export function directorySnapshot(d: DirectoryState) {
  return {
    directoryId: d.directoryId,
    name: d.name,
    deduplicationCriteria: criteriaOf(d.deduplicationRules[0]),
    deduplicationRules: d.deduplicationRules.map((rule) => criteriaOf(rule)),
    mailingLists: d.mailingLists.snapshot(),
    contacts: d.contacts.all(),
    transactions: d.transactions
  }
}
