import type { IncomingHttpHeaders } from 'node:http'
import { ApiError, notFound } from './errors'
import { basicCredentials } from './http-io'
import { ROUTE_SCOPES } from './oauth'
import type { Caller } from './operations'
import type { Endpoint } from './rate-limits'
import type { BearerRefusal } from './stats'
import type { SandboxStore } from './store'

const unauthorized = (message: string) => new ApiError(401, 'SANDBOX_AUTH', message)

/** The Bearer token of an `Authorization: Bearer …` header; '' for a Bearer header without one. */
function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization ? /^Bearer(?:\s+(\S*))?\s*$/i.exec(authorization) : null
  return match ? (match[1] ?? '') : undefined
}

/** A JSON Event takes X-API-TOKEN or Basic `username:token`; OAuth is refused, as Qualtrics documents. */
function workflowCaller(
  store: SandboxStore,
  headers: IncomingHttpHeaders,
  url: URL,
  refuse: (r: BearerRefusal) => void
) {
  if (bearerToken(headers.authorization) !== undefined) {
    refuse('json_event')
    throw unauthorized('OAuth is not accepted by JSON Events: send X-API-TOKEN or Basic username:token.')
  }
  const basic = basicCredentials(headers.authorization)
  const headerToken = headers['x-api-token']
  const user = store.userFor(basic ? basic.token : typeof headerToken === 'string' ? headerToken : undefined)
  if (!user || (basic && basic.userName.toLowerCase() !== user.userName.toLowerCase())) {
    throw unauthorized('Authentication failed: the API token (or user name) is not valid.')
  }
  if (!store.hasWorkflow(workflowTriggerId(url))) {
    throw notFound('No active JSON Event trigger has this urlTokenId (or, in older URLs, triggerId).')
  }
  return { user, auth: basic ? ('Basic' as const) : ('X-API-TOKEN' as const) }
}

/**
 * Who is calling, or a 401/403: on the API an X-API-TOKEN header (checked whenever it is sent) or else an OAuth
 * Bearer token, which must be live on the sandbox clock and hold the route's scope.
 */
export function authenticate(
  store: SandboxStore,
  headers: IncomingHttpHeaders,
  endpoint: Endpoint,
  url: URL,
  refuse: (reason: BearerRefusal) => void
): Caller {
  if (endpoint === 'workflow.trigger') return workflowCaller(store, headers, url, refuse)
  const headerToken = headers['x-api-token']
  const bearer = bearerToken(headers.authorization)
  if (headerToken !== undefined || bearer === undefined) {
    const user = store.userFor(typeof headerToken === 'string' ? headerToken : undefined)
    if (!user) throw unauthorized('Authentication failed: the API token (or user name) is not valid.')
    return { user, auth: 'X-API-TOKEN' }
  }
  const checked = store.oauth.check(bearer)
  if (checked === 'unknown' || checked === 'expired') {
    refuse(checked)
    throw unauthorized(
      checked === 'expired' ? 'The access token has expired; request a new one.' : 'The access token is not valid.'
    )
  }
  const needed = ROUTE_SCOPES[endpoint]
  if (needed !== undefined && !checked.scopes.has(needed)) {
    refuse('missing_scope')
    throw new ApiError(403, 'SANDBOX_SCOPE', `The access token lacks the scope ${needed} this call needs.`)
  }
  const user = store.userById(checked.userId)
  if (!user) throw unauthorized('The access token is not valid.')
  return { user, auth: 'Bearer' }
}

/** The trigger a JSON Event URL names: `urlTokenId`, or `triggerId` in the older form of the URL. */
export function workflowTriggerId(url: URL): string {
  return url.searchParams.get('urlTokenId') ?? url.searchParams.get('triggerId') ?? ''
}
