import { ApiError, notFound } from './errors'
import type { Endpoint } from './rate-limits'

export interface Route {
  endpoint: Endpoint
  params: string[]
}

/** Which endpoint a method and path name; a known path with the wrong method is a 405. */
export function route(method: string, path: string): Route | ApiError {
  let parts: string[]
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    // A malformed percent-escape names no resource; Qualtrics answers such paths with a 404 too.
    return notFound(`${path} is not a valid path.`)
  }
  const match = (pattern: string[], allowed: Partial<Record<string, Endpoint>>): Route | ApiError | undefined => {
    if (parts.length !== pattern.length) return undefined
    const params: string[] = []
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === '*') params.push(parts[i])
      else if (pattern[i].toLowerCase() !== parts[i].toLowerCase()) return undefined
    }
    const endpoint = allowed[method]
    return endpoint ? { endpoint, params } : new ApiError(405, 'SANDBOX_METHOD', `${method} is not allowed on ${path}.`)
  }
  const found =
    match(['API', 'v3', 'whoami'], { GET: 'whoami' }) ??
    match(['API', 'v3', 'directories'], { GET: 'directories.list' }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists'], {
      GET: 'mailinglists.list',
      POST: 'mailinglists.create'
    }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists', '*'], { GET: 'mailinglists.get' }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists', '*', 'contacts'], {
      GET: 'mailinglistContacts.list',
      POST: 'mailinglistContacts.create'
    }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists', '*', 'contacts', '*'], {
      DELETE: 'mailinglistContacts.delete'
    }) ??
    match(['API', 'v3', 'directories', '*', 'contacts'], { POST: 'contacts.create' }) ??
    match(['API', 'v3', 'directories', '*', 'contacts', 'search'], { POST: 'contacts.search' }) ??
    match(['API', 'v3', 'directories', '*', 'contacts', '*'], {
      GET: 'contacts.get',
      PUT: 'contacts.update',
      DELETE: 'contacts.delete'
    }) ??
    match(['API', 'v3', 'directories', '*', 'transactions'], { POST: 'transactions.create' }) ??
    match(['API', 'v3', 'eventsubscriptions'], { POST: 'eventsubscriptions.create', GET: 'eventsubscriptions.list' }) ??
    match(['API', 'v3', 'eventsubscriptions', '*'], {
      GET: 'eventsubscriptions.get',
      DELETE: 'eventsubscriptions.delete'
    }) ??
    match(['API', 'v3', 'surveys', '*', 'responses', '*'], { GET: 'responses.get' }) ??
    match(['API', 'v3', 'survey-definitions', '*'], { GET: 'surveydefinitions.get' }) ??
    match(['API', 'v3', 'directories', '*', 'transactionbatches'], { POST: 'transactionbatches.create' }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists', '*', 'transactioncontacts'], { POST: 'imports.create' }) ??
    match(['API', 'v3', 'directories', '*', 'mailinglists', '*', 'transactioncontacts', '*'], { GET: 'imports.get' }) ??
    match(['API', 'v3', 'op-erase-personal-data'], { POST: 'erasure.create', GET: 'erasure.list' }) ??
    match(['inbound-event', 'v1', 'events', 'json', 'triggers'], { POST: 'workflow.trigger' }) ??
    // At the origin's root, as Qualtrics serves it, not under /API/v3.
    match(['oauth2', 'token'], { POST: 'oauth.token' })
  return found ?? notFound(`No Qualtrics endpoint at ${path}.`)
}
