import type { IncomingHttpHeaders } from 'node:http'
import type { ApiRow, Caller } from './call'
import { ApiError, notFound } from './errors'
import { basicCredentials } from './http-io'
import type { SandboxStore } from './store'

/** Why a Bearer token was refused on an API or JSON Event call. */
export const BEARER_REFUSALS = ['unknown', 'expired', 'missing_scope', 'json_event'] as const
export type BearerRefusal = (typeof BEARER_REFUSALS)[number]

const unauthorized = (message: string) => new ApiError(401, 'SANDBOX_AUTH', message)

/** The Bearer token of an `Authorization: Bearer …` header; '' for a Bearer header without one. */
function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization ? /^Bearer(?:\s+(\S*))?\s*$/i.exec(authorization) : null
  return match ? (match[1] ?? '') : undefined
}

/** The trigger a JSON Event URL names: `urlTokenId`, or `triggerId` in the older form of the URL. */
export function workflowTriggerId(url: URL): string {
  return url.searchParams.get('urlTokenId') ?? url.searchParams.get('triggerId') ?? ''
}

/** A JSON Event takes X-API-TOKEN or Basic `username:token`; OAuth is refused, as Qualtrics documents. */
function workflowCaller(
  store: SandboxStore,
  headers: IncomingHttpHeaders,
  url: URL,
  refuse: (r: BearerRefusal) => void
): Caller {
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
  return { user, auth: basic ? 'Basic' : 'X-API-TOKEN' }
}

/**
 * Who is calling, or a 401/403: on the API an X-API-TOKEN header (checked whenever it is sent) or else an OAuth
 * Bearer token, which must be live on the sandbox clock and hold the scope the endpoint's row names.
 */
export function authenticate(
  store: SandboxStore,
  headers: IncomingHttpHeaders,
  row: ApiRow,
  url: URL,
  refuse: (reason: BearerRefusal) => void
): Caller {
  if (row.access === 'jsonEvent') return workflowCaller(store, headers, url, refuse)
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
  const scope = row.scope ?? (store.readings.oauthScopes === 'fourScopeClients' ? row.fourScopeClientsScope : undefined)
  if (scope !== undefined && !checked.scopes.has(scope)) {
    refuse('missing_scope')
    throw new ApiError(403, 'SANDBOX_SCOPE', `The access token lacks the scope ${scope} this call needs.`)
  }
  const user = store.userById(checked.userId)
  if (!user) throw unauthorized('The access token is not valid.')
  return { user, auth: 'Bearer' }
}

/** Some calls (erasure; event subscriptions in the `brandAdmins` reading) are for brand administrators only. */
export function requireBrandAdmin(user: { brandAdmin?: boolean; userName: string }, what: string): void {
  if (!user.brandAdmin) {
    throw new ApiError(
      403,
      'SANDBOX_FORBIDDEN',
      `${user.userName} is not a brand administrator; only brand administrators may ${what}.`
    )
  }
}
