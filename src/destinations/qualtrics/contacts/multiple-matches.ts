import type { InputField } from '@segment/actions-core'
import type { ContactRecord } from '../client'

export type MultipleMatches = 'oldest' | 'fail'
export const DEFAULT_MULTIPLE_MATCHES: MultipleMatches = 'oldest'

/** How many of the other matching (or passed-over) ids an event's result lists. */
export const OTHER_MATCHES_SHOWN = 10

export const multipleMatchesField: InputField = {
  label: 'When several contacts match',
  description:
    'What to do when an identifier matches several contacts (duplicates made elsewhere). "Use the oldest" (default) adds the transaction to the contact created first among those that can be this person (never one with another External Data Reference) and names the others in the result; "Fail" reports the event as a final error (409), as before.',
  type: 'string',
  choices: [
    { label: 'Use the oldest', value: 'oldest' },
    { label: 'Fail', value: 'fail' }
  ],
  default: DEFAULT_MULTIPLE_MATCHES
}

export function multipleMatchesOf(value: unknown): MultipleMatches {
  return value === 'fail' ? 'fail' : DEFAULT_MULTIPLE_MATCHES
}

/** A creation date as milliseconds: Qualtrics gives ISO text or epoch milliseconds; anything else is unknown. */
function createdAt(contact: ContactRecord): number | undefined {
  const raw = contact.creationDate
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : Number.NaN
  return Number.isFinite(value) ? value : undefined
}

/**
 * The contact created first, then the lowest id: a choice that stays the same however the search orders its
 * answer. A contact without a readable creation date comes after every dated one.
 */
export function oldestFirst(matches: ContactRecord[]): ContactRecord[] {
  return [...matches].sort((a, b) => {
    const [dateA, dateB] = [createdAt(a), createdAt(b)]
    if (dateA !== dateB) {
      if (dateA === undefined) return 1
      if (dateB === undefined) return -1
      return dateA - dateB
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  })
}
