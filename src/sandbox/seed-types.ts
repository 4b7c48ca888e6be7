/** The shapes a sandbox seed takes: shared by the seed parser and the store, which otherwise know nothing of each other. */

/** The five fields Qualtrics' `deduplicationCriteria` reports; the true ones in a rule must all match. */
export const DEDUPLICATION_FIELDS = ['externalDataReference', 'email', 'phone', 'firstName', 'lastName'] as const
export type DeduplicationField = (typeof DEDUPLICATION_FIELDS)[number]
/** One merge rule: every field set true must match (case-insensitively). */
export type DeduplicationCriteria = Partial<Record<DeduplicationField, boolean>>
/** Qualtrics allows up to three merge rules per directory, tried in order. */
export const MAX_DEDUPLICATION_RULES = 3

export interface SeedUser {
  /** The API token this user authenticates with (sandbox-only; never a real token). */
  token: string
  userName: string
  userId?: string
  brandId?: string
  firstName?: string
  lastName?: string
  email?: string
  /** A brand administrator: only these may make erasure requests (Qualtrics' rule). Default false. */
  brandAdmin?: boolean
}

/** An OAuth client (Qualtrics' OAuth Client Manager): it acts as the seeded user with `userId`. */
export interface SeedClient {
  clientId: string
  clientSecret: string
  /** The `userId` of a seeded user: the client acts as that user, in that user's brand. */
  userId: string
  /** The scopes the client may be granted; a token request asking for others is refused with invalid_scope. */
  scopes: string[]
  /** `expires_in` of the tokens issued (sandbox-clock seconds); default 3600. */
  tokenLifetimeSeconds?: number
}

export interface SeedContact {
  id?: string
  extRef?: string
  email?: string
  phone?: string
  firstName?: string
  lastName?: string
  language?: string
  unsubscribed?: boolean
  embeddedData?: Record<string, string | number | boolean>
}

export interface SeedMailingList {
  mailingListId: string
  name?: string
  /** Ids of contacts seeded in the same directory. */
  members?: string[]
}

export interface SeedDirectory {
  directoryId: string
  name?: string
  isDefault?: boolean
  /** One merge rule (the older form of the seed); use `deduplicationRules` for more. */
  deduplicationCriteria?: DeduplicationCriteria
  /** Up to three merge rules, tried in order; a contact merges when any one of them matches. */
  deduplicationRules?: DeduplicationCriteria[]
  mailingLists?: SeedMailingList[]
  contacts?: SeedContact[]
}

export interface SeedWorkflow {
  urlTokenId: string
  name?: string
}

/** A survey question: its id (QID…), its export tag, and whether its answer is a number or text (`QID…_TEXT`). */
export interface SeedQuestion {
  questionId: string
  exportTag?: string
  text?: string
  type?: 'number' | 'text'
}

/** A stored response: `values` as the responses API returns them (metadata, QID answers, embedded data). */
export interface SeedResponse {
  responseId: string
  values: Record<string, unknown>
  labels?: Record<string, unknown>
}

export interface SeedSurvey {
  surveyId: string
  name?: string
  questions?: SeedQuestion[]
  responses?: SeedResponse[]
}

export interface SandboxSeed {
  users: SeedUser[]
  directories: SeedDirectory[]
  workflows: SeedWorkflow[]
  /** OAuth clients for the client-credentials grant; none by default. */
  clients?: SeedClient[]
  /** Survey definitions and their responses (surveys.ts); none by default. */
  surveys?: SeedSurvey[]
}

/**
 * A directory's merge rules, whichever form its seed used: the fields of each rule that are set true. Flags given
 * as `deduplicationCriteria` are one rule, or (`flagsAreRules`, the `oneRulePerFlag` reading) a rule each.
 */
export function deduplicationRulesOf(directory: SeedDirectory, flagsAreRules = false): DeduplicationField[][] {
  const fieldsOf = (rule: DeduplicationCriteria) => DEDUPLICATION_FIELDS.filter((field) => rule[field] === true)
  if (directory.deduplicationRules) return directory.deduplicationRules.map(fieldsOf).filter((f) => f.length > 0)
  const flagged = directory.deduplicationCriteria ? fieldsOf(directory.deduplicationCriteria) : []
  if (flagged.length === 0) return []
  return flagsAreRules ? flagged.map((field) => [field]) : [flagged]
}
