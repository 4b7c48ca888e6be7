import { requireBrandAdmin, workflowTriggerId } from './authentication'
import type { Answer, Call, TokenCall } from './call'
import { validateErasureBody } from './erasure'
import { badRequest } from './errors'
import { OAuthError, oauthErrorBody, tokenRequestOf } from './oauth'
import { page } from './paging'

/** The endpoints about the account rather than its contacts: whoami, directories, erasure, JSON Events, tokens. */

export function whoami({ caller }: Call): Answer {
  const { userName, userId, brandId, firstName, lastName, email, brandAdmin } = caller.user
  // The non-administrator type is the sandbox's own pick among Qualtrics' user types.
  const accountType = brandAdmin ? 'UT_BRANDADMIN' : 'UT_FULLUSER'
  return [
    200,
    { result: { brandId, userId, userName, accountType, firstName, lastName, email, datacenter: 'sandbox' } }
  ]
}

export function listDirectories({ store, url, nextPageOrigin, pageSize }: Call): Answer {
  const { elements, nextPage } = page(store.listDirectories(), url, nextPageOrigin, pageSize)
  return [200, { result: { elements, nextPage } }]
}

export function requestErasure({ store, caller, body, readings }: Call): Answer {
  requireBrandAdmin(caller.user, 'request erasure')
  const ask = validateErasureBody(body, readings.erasureWithoutSearchOnly === 'dryRun')
  const request = store.erase(ask, caller.user)
  return [200, { result: { requestId: request.requestId } }]
}

export function listErasureRequests({ store, caller, url, nextPageOrigin, pageSize }: Call): Answer {
  requireBrandAdmin(caller.user, 'request erasure')
  const { elements, nextPage } = page(store.listErasureRequests(caller.user.brandId), url, nextPageOrigin, pageSize)
  return [200, { result: { elements, nextPage } }]
}

/** A JSON Event: any JSON object or array is a run of the workflow its URL names. */
export function triggerWorkflow({ store, caller, url, body }: Call): Answer {
  if (typeof body !== 'object' || body === null) throw badRequest('A JSON Event body must be a JSON object or array.')
  const run = store.recordWorkflowRun({
    urlTokenId: workflowTriggerId(url),
    auth: caller.auth === 'Basic' ? 'Basic' : 'X-API-TOKEN',
    userName: caller.user.userName,
    payload: body
  })
  return [202, { result: { runId: run.id } }]
}

/** `POST /oauth2/token`: the client-credentials grant, answered in OAuth's shape (`{error, error_description}`). */
export function issueToken({ store, authorization, body }: TokenCall): Answer {
  try {
    return [200, { ...store.oauth.issue(tokenRequestOf(authorization, body)) }]
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    return [error.status, oauthErrorBody(error)]
  }
}
