import type { Answer, Call } from './call'
import type { ContactFilter, StoredContact } from './contact-book'
import { ApiError, badRequest } from './errors'
import { page } from './paging'

/** Search pages past this many results are refused (Qualtrics: use a contact export instead). */
export const SEARCH_RESULT_LIMIT = 10_000
const SEARCH_FIELDS = new Set(['extRef', 'email', 'phone', 'firstName', 'lastName', 'language'])

/** `{filter: {filterType, comparison: 'eq', value}}` or `{filter: {conjunction: 'and', filters: [...]}}`. */
function searchFilters(body: unknown): ContactFilter[] {
  const filter = (body as { filter?: Record<string, unknown> } | undefined)?.filter
  if (typeof filter !== 'object' || filter === null) throw badRequest('The search body needs a filter.')
  const single = (f: unknown): ContactFilter => {
    const { filterType, comparison, value } = (f ?? {}) as Record<string, unknown>
    if (typeof filterType !== 'string' || !SEARCH_FIELDS.has(filterType)) {
      throw badRequest(`filterType ${JSON.stringify(filterType)} is not supported.`)
    }
    if (comparison !== 'eq') throw badRequest(`comparison ${JSON.stringify(comparison)} is not supported (eq only).`)
    if (typeof value !== 'string') throw badRequest('The filter value must be a string.')
    return { filterType, value } as ContactFilter
  }
  if (filter.conjunction === undefined) return [single(filter)]
  // Only `and` is documented anywhere; `or` is refused rather than guessed at.
  if (filter.conjunction !== 'and' || !Array.isArray(filter.filters) || filter.filters.length === 0) {
    throw badRequest('Only conjunction "and" with a list of filters is supported.')
  }
  return filter.filters.map(single)
}

/** `POST …/contacts`: created, or merged into the contact a merge rule matches. */
export function createContact({ store, params, body }: Call): Answer {
  return [200, { result: { id: store.createContact(params.directoryId, body).id } }]
}

export function getContact({ store, params }: Call): Answer {
  return [200, { result: store.getContact(params.directoryId, params.contactId) }]
}

export function updateContact({ store, params, body }: Call): Answer {
  store.updateContact(params.directoryId, params.contactId, body)
  return [200, {}]
}

export function deleteContact({ store, params }: Call): Answer {
  store.deleteContact(params.directoryId, params.contactId)
  return [200, {}]
}

/** A found contact as the search answers it: `extRef`/`phone`, or `externalDataReference`/`phoneNumber`. */
function searchElement(contact: StoredContact, { includeEmbedded, upstreamNames }: Record<string, boolean>) {
  const { embeddedData, extRef, phone, ...rest } = contact
  const identifiers = upstreamNames ? { externalDataReference: extRef, phoneNumber: phone } : { extRef, phone }
  const named = Object.fromEntries(Object.entries(identifiers).filter(([, value]) => value !== undefined))
  return { ...rest, ...named, ...(includeEmbedded ? { embeddedData } : {}) }
}

/**
 * `POST …/contacts/search`: one page of the contacts matching every filter (case-insensitively, in either reading),
 * with the next page's full URL and its `skipToken`, or (the `skipToken` reading) only the token to send back.
 */
export function searchContacts(call: Call): Answer {
  const matches = call.store.searchContacts(call.params.directoryId, searchFilters(call.body))
  const { offset, elements, nextPage, skipToken } = page(matches, call.url, call.nextPageOrigin, call.pageSize)
  if (offset >= SEARCH_RESULT_LIMIT) {
    throw new ApiError(
      400,
      'BRE_0.5',
      `Search results can only be paged through the first ${SEARCH_RESULT_LIMIT} contacts; use a contact export.`
    )
  }
  const shape = {
    includeEmbedded: call.url.searchParams.get('includeEmbedded') === 'true',
    upstreamNames: call.readings.searchFieldNames === 'externalDataReference'
  }
  const shown = elements.map((contact) => searchElement(contact, shape))
  const paging = call.readings.searchPaging === 'skipToken' ? {} : { nextPage }
  return [200, { result: { elements: shown, ...paging, ...(skipToken ? { skipToken } : {}) } }]
}
