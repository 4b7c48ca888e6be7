import type { LiveApi } from './api'
import type { LiveCheckOptions } from './options'
import type { Findings } from './rows'

/** The start of every marker: the test contact's extRef is this and a random part. */
export const MARKER_PREFIX = 'segment-live-check-'

/** What every step of one run shares. */
export interface CheckContext {
  api: LiveApi
  options: LiveCheckOptions
  findings: Findings
  /** `segment-live-check-<random>`: the test contact's extRef, and the start of everything else it is given. */
  marker: string
  /** Every full `nextPage` URL an answer carried, for the nextPage host row. */
  nextPages: string[]
  /** The directory's deduplication flags that are on (GET /directories). */
  flags: string[]
  /** Contacts this run made and checked to be its own: the clean-up deletes these and whatever carries the marker. */
  created: string[]
  /** Contacts the import added that the clean-up must find by searching. */
  importAdded: number
  sleep: (ms: number) => Promise<void>
  now: () => Date
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const resultOf = (body: Record<string, unknown>): Record<string, unknown> =>
  isObject(body.result) ? body.result : {}

export const directoryPath = (ctx: CheckContext) => `/directories/${encodeURIComponent(ctx.options.directoryId)}`

/** One search by extRef (by default one element a page, so that a second contact would show the paging form). */
export async function searchByExtRef(
  ctx: CheckContext,
  extRef: string,
  pageSize = 1
): Promise<Record<string, unknown>> {
  const filter = { filterType: 'extRef', comparison: 'eq', value: extRef }
  const path = `${directoryPath(ctx)}/contacts/search?pageSize=${pageSize}`
  const body = await ctx.api.expectOk('POST', path, { filter })
  const result = resultOf(body)
  if (typeof result.nextPage === 'string') ctx.nextPages.push(result.nextPage)
  return result
}

export const elementsOf = (result: Record<string, unknown>): Record<string, unknown>[] =>
  Array.isArray(result.elements) ? result.elements.filter(isObject) : []

/** A contact as a search or GET shows it: its id under either name. */
export const contactIdOf = (contact: Record<string, unknown>): string | undefined =>
  [contact.id, contact.contactId].find((id): id is string => typeof id === 'string')

/** Read-after-write: Qualtrics may not show a new contact at once. Tries, and the pause before each retry. */
export const LAG_TRIES = 10
export const LAG_PAUSE_MS = 1000

export const testEmail = (marker: string, suffix = '') => `${marker}${suffix}@example.com`

/** Whether a contact as Qualtrics shows it is one of this run's (its extRef or email starts with the marker). */
export function carriesMarker(contact: Record<string, unknown>, marker: string): boolean {
  return [contact.extRef, contact.externalDataReference, contact.email].some(
    (value) => typeof value === 'string' && value.toLowerCase().startsWith(marker)
  )
}

/** Calls `attempt` until it gives an answer, pausing between tries; undefined when it never does. */
export async function untilSeen<T>(ctx: CheckContext, attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let tries = 1; ; tries++) {
    const found = await attempt()
    if (found !== undefined || tries >= LAG_TRIES) return found
    await ctx.sleep(LAG_PAUSE_MS)
  }
}

/** One contact by id, or undefined when Qualtrics answers 404 (gone, or not indexed yet). */
export async function getContact(ctx: CheckContext, id: string): Promise<Record<string, unknown> | undefined> {
  const path = `${directoryPath(ctx)}/contacts/${encodeURIComponent(id)}`
  const answer = await ctx.api.call('GET', path)
  if (answer.status === 404) return undefined
  if (answer.status !== 200) throw ctx.api.failure('GET', path, answer)
  return resultOf(answer.body)
}
