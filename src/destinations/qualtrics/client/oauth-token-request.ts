import { IntegrationError, InvalidAuthenticationError, RetryableError } from '@segment/actions-core'
import type { ModifiedResponse, StateContext } from '@segment/actions-core'
import { basicCredentials, digestOf } from './credentials'
import type { OAuthClient } from './credentials'
import { isRetryableStatus, noResponseError, retryableStatusOf, unexpectedResponse } from './errors'
import type { Operation } from './errors'
import type { ClientState } from './client-state'
import { Redactor } from './redaction'
import { OAuthSession, tokenCacheKey } from './oauth-tokens'
import type { IssuedToken } from './oauth-tokens'
import { CLIENT_PLACE, ScopedTokens, ScopeRefused } from './oauth-scopes'

/** One POST and its whole answer, within the client's timeout (the client's own `exchange`). */
export type TokenExchange = (
  url: string,
  options: { method: 'POST'; body: string; headers: Record<string, string> }
) => Promise<ModifiedResponse>

export const TOKEN_OPERATION: Operation = { description: 'issue an OAuth access token', endpoint: 'oauth.token' }

/** The token endpoint of the datacenter the API base is on: the only place the client secret is ever sent. */
export function tokenUrlFor(apiBase: string): string {
  return `${new URL(apiBase).origin}/oauth2/token`
}

/**
 * The token source of a client whose REST calls use OAuth: tokens come from the token endpoint on the API base's
 * origin (`{datacenter}.qualtrics.com`, or the instance's loopback API origin), the only place the client secret goes,
 * asked for the scopes the calls need (oauth-scopes.ts).
 */
export function oauthTokens(
  apiBase: string,
  datacenter: string,
  client: OAuthClient,
  exchange: TokenExchange,
  state: ClientState,
  stateContext?: StateContext
): ScopedTokens {
  const tokenUrl = tokenUrlFor(apiBase)
  const session = (scopes: string[]) => {
    const asked = { ...client, scopes }
    return new OAuthSession({
      key: tokenCacheKey(tokenUrl, asked),
      fetchToken: () => requestAccessToken(exchange, tokenUrl, asked, datacenter),
      tokens: state.accessTokens,
      fetches: state.tokenFetches,
      clock: state.clock,
      stateContext
    })
  }
  const clientKey = `${new URL(tokenUrl).origin}|${client.clientId}|${digestOf(client.clientSecret)}`
  return new ScopedTokens({ wanted: client.scopes, session, refusals: state.scopeRefusals, clientKey })
}

/** The client credentials grant: HTTP Basic `clientId:clientSecret` and a form body with the scopes. */
export async function requestAccessToken(
  exchange: TokenExchange,
  tokenUrl: string,
  client: OAuthClient,
  datacenter: string
): Promise<IssuedToken> {
  const basic = basicCredentials(client)
  // What Qualtrics says back may echo the client's secrets: its errors are redacted of them here, where they are made.
  const redactor = new Redactor([client.clientSecret, basic])
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: client.scopes.join(' ') }).toString()
  const headers = {
    accept: 'application/json',
    authorization: `Basic ${basic}`,
    'content-type': 'application/x-www-form-urlencoded'
  }
  let response: ModifiedResponse
  try {
    response = await exchange(tokenUrl, { method: 'POST', body, headers })
  } catch (error) {
    // No answer (timeout, reset, refused): retryable, like any call.
    throw redactor.error(noResponseError(error, TOKEN_OPERATION))
  }
  if (response.status < 200 || response.status >= 300) {
    // Redacted before it is read: a refusal's words ride on the error beyond its message (ScopeRefused).
    const answer = redactor.value(response.data)
    throw redactor.error(tokenError(response.status, answer, { tokenUrl, datacenter, scopes: client.scopes }))
  }
  return issuedToken(response.data)
}

/** The token and its lifetime from a 2xx, or a final error when the answer cannot be used as a Bearer token. */
function issuedToken(data: unknown): IssuedToken {
  const answer = (data ?? {}) as { access_token?: unknown; token_type?: unknown; expires_in?: unknown }
  const token = answer.access_token
  // It goes in a header: visible ASCII only, or it would fail later as a retryable "connection failed".
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw unexpectedResponse(TOKEN_OPERATION, 'a usable access_token')
  }
  if (answer.token_type !== undefined && String(answer.token_type).toLowerCase() !== 'bearer') {
    throw unexpectedResponse(TOKEN_OPERATION, 'a Bearer token_type')
  }
  const expiresIn = Number(answer.expires_in)
  return { token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined }
}

/** The OAuth error code and description, in either the OAuth form or Qualtrics' `meta.error` form. */
function oauthReason(data: unknown): { code?: string; description?: string } {
  const body = (data ?? {}) as {
    error?: unknown
    error_description?: unknown
    meta?: { error?: { errorCode?: unknown; errorMessage?: unknown } }
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value.slice(0, 300) : undefined)
  return {
    code: text(body.error) ?? text(body.meta?.error?.errorCode),
    description: text(body.error_description) ?? text(body.meta?.error?.errorMessage)
  }
}

interface TokenContext {
  tokenUrl: string
  datacenter: string
  scopes: string[]
}

/** Maps a failed token request to the error whose status makes Segment do the right thing, saying what to fix. */
export function tokenError(status: number, data: unknown, context: TokenContext): Error {
  const { code, description } = oauthReason(data)
  const detail = [code, description].filter(Boolean).join(': ')
  const why = detail ? ` (${status} ${detail})` : ` (${status})`
  const dc = `"${context.datacenter}"`
  if (status === 401 && code === 'invalid_client') {
    return new InvalidAuthenticationError(
      `Client ID or secret rejected by Qualtrics${why}: copy both again from ${CLIENT_PLACE}. An OAuth client works only on the datacenter where it was created, so check that the Datacenter ID ${dc} is that one.`
    )
  }
  if (status === 401 || status === 404) {
    return new InvalidAuthenticationError(
      `Qualtrics at datacenter ${dc} does not know this OAuth client${why}: the Datacenter ID is probably wrong (an OAuth client works only on the datacenter where it was created; see Account settings → Qualtrics IDs), or the Client ID is.`
    )
  }
  if (status === 400 && code === 'invalid_scope') return scopeRefused(context.scopes, description, why)
  if (isRetryableStatus(status)) {
    return new RetryableError(`Qualtrics could not ${TOKEN_OPERATION.description}${why}`, retryableStatusOf(status))
  }
  const finalStatus = status >= 400 && status < 500 ? status : 400
  return new IntegrationError(`Qualtrics could not ${TOKEN_OPERATION.description}${why}`, 'OAUTH_ERROR', finalStatus)
}

/**
 * `invalid_scope`: the client lacks a scope asked for, and got no token at all. The scopes Qualtrics names ride on
 * the error, so that the caller can ask again for less (oauth-scopes.ts).
 */
function scopeRefused(scopes: string[], description: string | undefined, why: string): ScopeRefused {
  const named = scopes.filter((scope) => description?.includes(scope))
  const which = named.length > 0 ? named.join(', ') : `one or more of ${scopes.join(', ')}`
  return new ScopeRefused(
    `The OAuth client lacks the scope ${which}${why}: add it to the client in ${CLIENT_PLACE}.`,
    named,
    why
  )
}

/** A call refused a token fetched moments before: the client is good, but for another datacenter (or lacks rights). */
export function freshTokenRefused(operation: Operation, datacenter: string): InvalidAuthenticationError {
  return new InvalidAuthenticationError(
    `Qualtrics could not ${operation.description}: it refused a freshly issued OAuth access token (401). An OAuth client works only on the datacenter where it was created: check that the Datacenter ID "${datacenter}" is that one.`
  )
}
