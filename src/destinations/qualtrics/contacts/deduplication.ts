import { IntegrationError } from '@segment/actions-core'
import type { ContactBody, Directory, QualtricsClient } from '../client'
import type { TimedCache } from '../memory/timed-cache'
import { contactFields } from './contact-fields'
import { IDENTIFIERS } from './identity-groups'

/** Where the setting is, in the words of Qualtrics' own page (XM Directory → Directory settings). */
export const DEDUPLICATION_SETTING =
  'Automatic deduplication (XM Directory → Directory settings → Automatic deduplication)'

/** `deduplicationCriteria` names (GET /directories) → the contact fields they compare. */
const CRITERIA_FIELDS: Record<string, keyof ContactBody> = {
  externalDataReference: 'extRef',
  email: 'email',
  phone: 'phone',
  firstName: 'firstName',
  lastName: 'lastName'
}

/** The contact fields a directory's `deduplicationCriteria` turn on (empty: it does not deduplicate). */
export function criteriaFieldsOf(directory: Directory | undefined): (keyof ContactBody)[] {
  return Object.entries(directory?.deduplicationCriteria ?? {})
    .filter(([name, on]) => on === true && name in CRITERIA_FIELDS)
    .map(([name]) => CRITERIA_FIELDS[name])
}

/** A directory's settings rarely change; a change is seen within this long. */
export const CRITERIA_TTL_MS = 10 * 60 * 1000
/** Directories remembered per destination instance (least recently used goes first): far more than one account has. */
export const CRITERIA_MAX_ENTRIES = 500

/** The contact fields a directory deduplicates on. */
export type DeduplicationFields = (keyof ContactBody)[]
type Fields = DeduplicationFields
/** Each directory's fields as read (one read shared by concurrent callers), in a destination instance's state. */
export type DeduplicationCache = TimedCache<Promise<Fields>>

const labelOf = (field: keyof ContactBody) => contactFields[field as keyof typeof contactFields]?.label ?? field
const listed = (fields: Fields) => fields.map(labelOf).join(' and ')

/**
 * The fields a directory deduplicates on, read from `GET /directories` at most once per account and directory every
 * CRITERIA_TTL_MS (`cache` keeps them: concurrent callers share one read; a failed read is not kept). A directory the
 * credentials cannot see is a final error naming it.
 */
export function deduplicationOf(
  client: QualtricsClient,
  cache: DeduplicationCache,
  directoryId: string
): Promise<Fields> {
  const key = `${client.account}\u0000${directoryId}`
  const held = cache.get(key)
  if (held) return held
  const fields = client.listDirectories().then((directories) => {
    const directory = directories.find((d) => d.directoryId === directoryId)
    if (!directory) {
      throw new IntegrationError(
        `Directory ${directoryId} is not among the directories these credentials can list: check the Directory ID.`,
        'DIRECTORY_NOT_FOUND',
        404
      )
    }
    return criteriaFieldsOf(directory)
  })
  cache.set(key, fields)
  fields.catch(() => {
    if (cache.get(key) === fields) cache.delete(key)
  })
  return fields
}

/**
 * The fields to trust a deduplicating create with: like `deduplicationOf`, but a directory missing from the listing
 * counts as not deduplicating (the lookup then searches, and the search names the directory if it does not exist).
 */
export async function deduplicationIfListed(
  client: QualtricsClient,
  cache: DeduplicationCache,
  directoryId: string
): Promise<Fields> {
  try {
    return await deduplicationOf(client, cache, directoryId)
  } catch (error) {
    if ((error as { code?: unknown })?.code === 'DIRECTORY_NOT_FOUND') return []
    throw error
  }
}

/**
 * Who needs the directory's deduplication and what goes wrong without it, in the words of the refusal: adding to a
 * mailing list and a bulk import both create a contact whenever no rule matches.
 */
export interface DeduplicationNeed {
  /** What is refused, e.g. "Adding audience members to a mailing list". */
  what: string
  /** What a contact no rule matches would cause, e.g. "each member would become a new contact". */
  risk: string
  /** Another way out, e.g. 'turn "Bulk import" off'. */
  otherwise?: string
}

const orElse = (need: DeduplicationNeed) => (need.otherwise ? `, or ${need.otherwise}` : '')

/** A directory that deduplicates on no identifier (External Data Reference, Email, Phone number) cannot serve. */
export function requireIdentifierDeduplication(directoryId: string, fields: Fields, need: DeduplicationNeed): void {
  if (fields.some((field) => (IDENTIFIERS as string[]).includes(field))) return
  const now = fields.length === 0 ? 'does not deduplicate contacts' : `deduplicates only on ${listed(fields)}`
  const { what, risk } = need
  const otherwise = orElse(need)
  throw new IntegrationError(
    `${what} needs directory ${directoryId} to deduplicate contacts on an identifier (External Data Reference, Email or Phone number), and it ${now}: ${risk}. Turn on ${DEDUPLICATION_SETTING} with a rule on one of them${otherwise}.`,
    'DEDUPLICATION_REQUIRED',
    400
  )
}

/**
 * How a directory's flags cover a contact. Qualtrics applies a rule only when the incoming contact has every field of
 * it, and skips it otherwise (creating a second contact); whether several flags are one rule or one rule each is not
 * documented (research notes §16). A contact with every flagged field is matched under either reading; one with some
 * flagged identifier but not every flagged field only if the flags are one rule each (`missing` names what it lacks).
 */
export interface RuleCoverage {
  directoryId: string
  fields: Fields
  /** The flagged fields the contact lacks: none when either reading matches it. */
  missing: Fields
}

/**
 * The coverage of a contact that one reading at least covers, or a final error when none does (no flagged
 * identifier on the contact, or a directory that deduplicates on no identifier): nothing may be sent for it.
 */
export function ruleCoverage(
  directoryId: string,
  fields: Fields,
  contact: Partial<Record<keyof ContactBody, unknown>>,
  need: DeduplicationNeed
): RuleCoverage {
  requireIdentifierDeduplication(directoryId, fields, need)
  const missing = fields.filter((field) => contact[field] === undefined)
  const identifierGiven = fields.some((field) => (IDENTIFIERS as string[]).includes(field) && !missing.includes(field))
  if (missing.length === 0 || identifierGiven) return { directoryId, fields, missing }
  const [rule, absent, otherwise] = [listed(fields), listed(missing), orElse(need)]
  throw new IntegrationError(
    `Directory ${directoryId} deduplicates contacts on ${rule}, and this event has no ${absent}: Qualtrics would skip the rule and create another contact, so nothing was sent. Map ${absent} for every event, or change ${DEDUPLICATION_SETTING} to a rule on fields every event has (such as Email)${otherwise}.`,
    'DEDUPLICATION_NOT_MATCHING',
    400
  )
}

/** The first words of every result that took the path right under both readings: what the event lacks, and why. */
export function readingsNote({ directoryId, fields, missing }: RuleCoverage): string {
  return `Directory ${directoryId} deduplicates on ${listed(fields)}, and this event has no ${listed(
    missing
  )}: Qualtrics does not say whether several flags are one rule (every field must match) or one rule each (any may)`
}

/** The label of a contact field, for results ("External Data Reference and Email"). */
export const fieldsListed = listed
