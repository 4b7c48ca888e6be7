import { InvalidAuthenticationError } from '@segment/actions-core'
// eslint-disable-next-line no-restricted-syntax -- secrets' digests as in-process keys; nothing hashed is sent
import { createHash } from 'crypto'
import { credentialText, optionalToken } from './api-token'
import type { QualtricsAuth } from './types'

const OAUTH_HOW_TO_FIX = 'copy it again from Account settings → Qualtrics IDs → OAuth Client Manager'

/** An OAuth client (client credentials grant) and the scopes its tokens are asked for. */
export interface OAuthClient {
  clientId: string
  clientSecret: string
  scopes: string[]
}

/**
 * Which credentials apply: REST calls use the OAuth client when one is set, else the API token; JSON Event workflows
 * always use the API token, since Qualtrics refuses OAuth there.
 */
export interface Credentials {
  apiToken?: string
  oauth?: OAuthClient
}

/** The scopes every OAuth token is asked for: what the actions and dynamic fields call. */
export const BASE_SCOPES = [
  'read:directories',
  'read:mailing_lists',
  'manage:directory_contacts',
  'manage:contact_transactions',
  'write:mailing_list_contacts'
] as const
/** Asked for only when "Erase personal data" is on: only brand administrators' clients may hold it. */
export const ERASURE_SCOPE = 'manage:erasure_requests'

export function scopesFor(erasePersonalData: unknown): string[] {
  return erasePersonalData === true ? [...BASE_SCOPES, ERASURE_SCOPE] : [...BASE_SCOPES]
}

/**
 * The credentials the settings give, checked before any request exists: an API token, a complete OAuth client
 * (Client ID and Client secret), or both. Half an OAuth client, or nothing at all, is a final
 * `InvalidAuthenticationError` naming what is missing (never a value).
 */
export function resolveCredentials(auth: QualtricsAuth): Credentials {
  const apiToken = optionalToken(auth.apiToken)
  // A colon would end the user name of the Basic credentials the token endpoint takes.
  const clientId = credentialText(auth.clientId, 'Client ID', OAUTH_HOW_TO_FIX, ':')
  const clientSecret = credentialText(auth.clientSecret, 'Client secret', OAUTH_HOW_TO_FIX)
  if (clientId !== undefined && clientSecret === undefined) {
    throw new InvalidAuthenticationError(
      'Client secret is missing: an OAuth client needs both its Client ID and its Client secret (Account settings → Qualtrics IDs → OAuth Client Manager). Clear the Client ID to use the API Token alone.'
    )
  }
  if (clientSecret !== undefined && clientId === undefined) {
    throw new InvalidAuthenticationError(
      'Client ID is missing: an OAuth client needs both its Client ID and its Client secret (Account settings → Qualtrics IDs → OAuth Client Manager). Clear the Client secret to use the API Token alone.'
    )
  }
  if (clientId === undefined && apiToken === undefined) {
    throw new InvalidAuthenticationError(
      'API Token is missing and no OAuth client is set: set the API Token (Account settings → Qualtrics IDs), or both the Client ID and the Client secret of an OAuth client.'
    )
  }
  const oauth =
    clientId !== undefined && clientSecret !== undefined
      ? { clientId, clientSecret, scopes: scopesFor(auth.erasePersonalData) }
      : undefined
  return { apiToken, oauth }
}

/** The API token a JSON Event workflow needs, or a final error saying that OAuth cannot start a workflow. */
export function requireWorkflowToken(credentials: Credentials): string {
  if (credentials.apiToken !== undefined) return credentials.apiToken
  throw new InvalidAuthenticationError(
    'API Token is missing: Qualtrics JSON Event workflows accept only the API token (in the X-API-TOKEN header or with Basic authentication), not OAuth. Set the API Token to start workflows; the OAuth client still serves the other actions.'
  )
}

/** The HTTP Basic credentials (base64 of `clientId:clientSecret`) the token endpoint takes. */
export function basicCredentials(client: OAuthClient): string {
  return Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')
}

/** Every secret form of these credentials, for the redaction of what a client using them shows. */
export function secretsOf(credentials: Credentials): string[] {
  const { apiToken, oauth } = credentials
  return [apiToken, oauth?.clientSecret, oauth && basicCredentials(oauth)].filter(
    (secret): secret is string => typeof secret === 'string'
  )
}

/** A short digest of a secret, for keys that must tell credentials apart without ever holding them. */
export function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16)
}

/** Who REST calls act as, for keys of work shared in this process: never a secret, only digests of them. */
export function accountKey(base: string, credentials: Credentials): string {
  const { oauth, apiToken } = credentials
  if (oauth) return `${base}#oauth:${oauth.clientId}:${digestOf(oauth.clientSecret)}`
  return `${base}#${digestOf(apiToken ?? '')}`
}
