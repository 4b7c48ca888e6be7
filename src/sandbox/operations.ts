import type { ContactFilter } from './contact-book'
import { requireBrandAdmin, validateErasureBody } from './erasure'
import { ApiError, badRequest } from './errors'
import { workflowTriggerId } from './authentication'
import { performMailingListCall } from './mailing-list-calls'
import { page } from './paging'
import type { Route } from './routes'
import type { SandboxStore, StoredUser } from './store'
import { isSurveyEndpoint, performSurveyCall } from './survey-operations'
import { parseImportRequest, parseTransactionBatchRequest } from './import-requests'

/** Search pages past this many results are refused (Qualtrics: use a contact export instead). */
export const SEARCH_RESULT_LIMIT = 10_000
const SEARCH_FIELDS = new Set(['extRef', 'email', 'phone', 'firstName', 'lastName', 'language'])

/** How a call authenticated: an API token header, Basic (JSON Events only) or an OAuth Bearer token. */
export type AuthKind = 'X-API-TOKEN' | 'Basic' | 'Bearer'

export interface Caller {
  user: StoredUser
  auth: AuthKind
}

export interface Call {
  route: Route
  url: URL
  body: unknown
  /** The origin `nextPage` URLs are built on. */
  origin: string
  caller: Caller
}

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

function search(store: SandboxStore, directoryId: string, call: Call, pageSize: number): Record<string, unknown> {
  const matches = store.searchContacts(directoryId, searchFilters(call.body))
  const includeEmbedded = call.url.searchParams.get('includeEmbedded') === 'true'
  const { offset, elements, nextPage, skipToken } = page(matches, call.url, call.origin, pageSize)
  if (offset >= SEARCH_RESULT_LIMIT) {
    throw new ApiError(
      400,
      'BRE_0.5',
      `Search results can only be paged through the first ${SEARCH_RESULT_LIMIT} contacts; use a contact export.`
    )
  }
  const shown = elements.map(({ embeddedData, ...contact }) =>
    includeEmbedded ? { ...contact, embeddedData } : contact
  )
  return { result: { elements: shown, nextPage, ...(skipToken ? { skipToken } : {}) } }
}

/** Runs one API call against the store and returns its status and Qualtrics-shaped body (without `meta`). */
export function perform(store: SandboxStore, call: Call, pageSize: number): [number, Record<string, unknown>] {
  const [directoryId, contactId] = call.route.params
  const { url, body, origin, caller } = call
  // Import jobs move on with the clock: whatever is asked sees the records processed by now.
  store.imports.advance()
  const { endpoint } = call.route
  if (isSurveyEndpoint(endpoint)) return performSurveyCall(store, { ...call, route: { ...call.route, endpoint } })
  switch (endpoint) {
    case 'whoami': {
      const { userName, userId, brandId, firstName, lastName, email } = caller.user
      // The non-administrator type is the sandbox's own pick among Qualtrics' user types.
      const accountType = caller.user.brandAdmin ? 'UT_BRANDADMIN' : 'UT_FULLUSER'
      return [
        200,
        { result: { brandId, userId, userName, accountType, firstName, lastName, email, datacenter: 'sandbox' } }
      ]
    }
    case 'directories.list': {
      const { elements, nextPage } = page(store.listDirectories(), url, origin, pageSize)
      return [200, { result: { elements, nextPage } }]
    }
    case 'mailinglists.list': {
      const { elements, nextPage } = page(store.listMailingLists(directoryId), url, origin, pageSize)
      return [200, { result: { elements, nextPage } }]
    }
    case 'mailinglists.create':
    case 'mailinglists.get':
    case 'mailinglistContacts.list':
    case 'mailinglistContacts.create':
    case 'mailinglistContacts.delete':
      return performMailingListCall(store.mailingLists(directoryId), call, pageSize)
    case 'contacts.create':
      return [200, { result: { id: store.createContact(directoryId, body).id } }]
    case 'contacts.get':
      return [200, { result: store.getContact(directoryId, contactId) }]
    case 'contacts.update':
      store.updateContact(directoryId, contactId, body)
      return [200, {}]
    case 'contacts.delete':
      store.deleteContact(directoryId, contactId)
      return [200, {}]
    case 'contacts.search':
      return [200, search(store, directoryId, call, pageSize)]
    case 'transactions.create':
      return [200, { result: store.createTransactions(directoryId, body) }]
    case 'transactionbatches.create':
      return [200, { result: { id: store.imports.createBatch(directoryId, parseTransactionBatchRequest(body)).id } }]
    case 'imports.create': {
      const [, mailingListId] = call.route.params
      const job = store.imports.start(directoryId, mailingListId, parseImportRequest(body))
      const tracking = `${origin}${url.pathname.replace(/\/+$/, '')}/${job.importId}`
      const result = { id: job.importId, contacts: { unprocessed: job.unprocessed }, tracking: { url: tracking } }
      return [200, { result: { ...result, status: job.status } }]
    }
    case 'imports.get': {
      const [, mailingListId, importId] = call.route.params
      return [200, { result: store.imports.status(directoryId, mailingListId, importId) }]
    }
    case 'erasure.create': {
      requireBrandAdmin(caller.user)
      const request = store.erase(validateErasureBody(body), caller.user)
      return [200, { result: { requestId: request.requestId } }]
    }
    case 'erasure.list': {
      requireBrandAdmin(caller.user)
      const { elements, nextPage } = page(store.listErasureRequests(caller.user.brandId), url, origin, pageSize)
      return [200, { result: { elements, nextPage } }]
    }
    case 'oauth.token':
      // Answered by the token endpoint before any API authentication; never routed here.
      throw new ApiError(500, 'SANDBOX_INTERNAL', 'The token endpoint is not an API call.')
    case 'workflow.trigger': {
      if (typeof body !== 'object' || body === null) {
        throw badRequest('A JSON Event body must be a JSON object or array.')
      }
      const run = store.recordWorkflowRun({
        urlTokenId: workflowTriggerId(url),
        auth: caller.auth === 'Basic' ? 'Basic' : 'X-API-TOKEN',
        userName: caller.user.userName,
        payload: body
      })
      return [202, { result: { runId: run.id } }]
    }
  }
}
