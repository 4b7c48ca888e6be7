import { isObject } from './plain-object'

/**
 * Where the public evidence allows more than one reading of how Qualtrics answers (research notes §16), the sandbox
 * can show each. Every switch lists its readings: the first is the default profile's, the second the strict
 * profile's. docs/sandbox.md gives the evidence for each.
 */
export const READING_CHOICES = {
  /** Search elements name `extRef`/`phone` (as the list call does) or `externalDataReference`/`phoneNumber`. */
  searchFieldNames: ['extRef', 'externalDataReference'],
  /** Search pages come with a full `nextPage` URL (and the `skipToken` in it), or with only a `skipToken`. */
  searchPaging: ['nextPage', 'skipToken'],
  /** `nextPage` URLs name the sandbox itself, or another Qualtrics host of the brand (OTHER_QUALTRICS_ORIGIN). */
  nextPageHost: ['sandbox', 'otherQualtricsHost'],
  /** An erasure request without `searchOnly` erases, or is a dry run. */
  erasureWithoutSearchOnly: ['erases', 'dryRun'],
  /** `PUT …/contacts/{id}` with `embeddedData` merges it key by key, or replaces it whole. */
  contactUpdate: ['mergesEmbeddedData', 'replacesEmbeddedData'],
  /** `deduplicationCriteria` with several flags is one rule (all must match), or one rule per flag (any may). */
  deduplicationFlags: ['oneRule', 'oneRulePerFlag'],
  /** OAuth clients get the scopes the seed gives, or at most the four XM Directory scopes (whoami: `read:users`). */
  oauthScopes: ['asSeeded', 'fourScopeClients'],
  /** Any user may create an event subscription, or brand administrators only. */
  eventSubscriptions: ['anyUser', 'brandAdmins']
} as const

export type Readings = { -readonly [K in keyof typeof READING_CHOICES]: (typeof READING_CHOICES)[K][number] }
export type ReadingName = keyof Readings

export const PROFILE_NAMES = ['default', 'strict'] as const
export type Profile = (typeof PROFILE_NAMES)[number]

const NAMES = Object.keys(READING_CHOICES) as ReadingName[]
const profile = (index: 0 | 1) =>
  Object.fromEntries(NAMES.map((name) => [name, READING_CHOICES[name][index]])) as Readings

/** The default profile is the sandbox as it always answered; the strict one takes the other reading everywhere. */
export const PROFILES: Record<Profile, Readings> = { default: profile(0), strict: profile(1) }

/** Where `nextPage` points in the `otherQualtricsHost` reading: an organisation host of the same datacenter. */
export const OTHER_QUALTRICS_ORIGIN = 'https://sandbox-org.iad1.qualtrics.com'

/** Checks switches given one by one (an option or SANDBOX_READINGS), naming a mistake. */
export function checkReadings(value: unknown): Partial<Readings> {
  if (!isObject(value)) throw new Error('readings must be an object of switches, e.g. {"searchPaging": "skipToken"}')
  for (const [name, reading] of Object.entries(value)) {
    const choices = READING_CHOICES[name as ReadingName] as readonly string[] | undefined
    if (!choices) throw new Error(`readings.${name} is not a reading (${NAMES.join(', ')})`)
    if (!choices.includes(reading as string)) {
      throw new Error(`readings.${name} ${JSON.stringify(reading)} is not one of ${choices.join(', ')}`)
    }
  }
  return value as Partial<Readings>
}

export function checkProfile(value: unknown, name = 'profile'): Profile {
  if (!(PROFILE_NAMES as readonly unknown[]).includes(value)) {
    throw new Error(`${name} ${JSON.stringify(value)} is not one of ${PROFILE_NAMES.join(', ')}`)
  }
  return value as Profile
}

/** A profile's readings with the switches set one by one over them. */
export function readingsOf(profileName: unknown = 'default', switches: unknown = {}): Readings {
  return { ...PROFILES[checkProfile(profileName)], ...checkReadings(switches) }
}
