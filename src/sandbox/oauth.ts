import { randomBytes } from 'node:crypto'
import { basicCredentials } from './http-io'
import type { SeedClient } from './seed-types'

/** The scopes Qualtrics is seen to grant (§13 of the research notes); a seed may only give these. */
export const OAUTH_SCOPES = [
  'read:directories',
  'read:mailing_lists',
  'manage:directory_contacts',
  'manage:contact_transactions',
  'write:mailing_list_contacts',
  'write:distributions',
  'read:distributions',
  'manage:erasure_requests',
  'read:users'
] as const
export type OAuthScope = (typeof OAUTH_SCOPES)[number]

/** What an XM Directory OAuth client is often set up with (a Tealium set-up, research notes §16), and no more. */
export const FOUR_SCOPES: readonly OAuthScope[] = [
  'read:directories',
  'read:mailing_lists',
  'manage:directory_contacts',
  'manage:contact_transactions'
]

/** Qualtrics documents no lifetime; an hour is the common one for client-credentials tokens. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600

export const OAUTH_ERRORS = ['invalid_client', 'invalid_scope', 'unsupported_grant_type', 'invalid_request'] as const
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number]

/** A refused token request, answered `{error, error_description}`: 401 for a bad client, 400 otherwise. */
export class OAuthError extends Error {
  readonly status: number
  constructor(
    readonly code: OAuthErrorCode,
    description: string
  ) {
    super(description)
    this.status = code === 'invalid_client' ? 401 : 400
  }
}

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope: string
}

interface IssuedToken {
  clientId: string
  userId: string
  scopes: Set<string>
  /** On the sandbox clock. */
  expiresAt: number
}

export type BearerCheck = { userId: string; scopes: Set<string> } | 'expired' | 'unknown'

/** The token request's form fields, already parsed. */
export interface TokenRequest {
  clientId?: string
  clientSecret?: string
  form: URLSearchParams
}

/** A token request as sent: HTTP Basic `clientId:clientSecret` and a form-encoded body. */
export function tokenRequestOf(authorization: string | undefined, body: Buffer): TokenRequest {
  const credentials = basicCredentials(authorization)
  return {
    clientId: credentials?.userName,
    clientSecret: credentials?.token,
    form: new URLSearchParams(body.toString('utf8'))
  }
}

export const oauthErrorBody = (error: OAuthError) => ({ error: error.code, error_description: error.message })

/** The seeded OAuth clients and the tokens issued to them, timed on the sandbox clock. */
export class OAuthClients {
  private readonly clients = new Map<string, SeedClient>()
  private readonly tokens = new Map<string, IssuedToken>()

  /** `limitTo`: each client is granted at most these of its seeded scopes (the `fourScopeClients` reading). */
  constructor(
    clients: SeedClient[],
    private readonly now: () => number,
    limitTo?: readonly string[]
  ) {
    for (const client of clients) {
      const scopes = limitTo ? client.scopes.filter((scope) => limitTo.includes(scope)) : client.scopes
      this.clients.set(client.clientId, { ...client, scopes })
    }
  }

  /** The client-credentials grant: checks the client, the grant type and the scopes, then issues a token. */
  issue({ clientId, clientSecret, form }: TokenRequest): TokenResponse {
    const client = clientId === undefined ? undefined : this.clients.get(clientId)
    if (!client || client.clientSecret !== clientSecret) {
      throw new OAuthError('invalid_client', 'Client authentication failed: unknown client or wrong secret.')
    }
    for (const name of ['grant_type', 'scope']) {
      if (form.getAll(name).length > 1) throw new OAuthError('invalid_request', `The parameter ${name} is repeated.`)
    }
    const grantType = form.get('grant_type')
    if (!grantType) throw new OAuthError('invalid_request', 'The parameter grant_type is missing.')
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', `The grant type ${grantType} is not supported.`)
    }
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean)
    const lacking = requested.find((scope) => !client.scopes.includes(scope))
    if (lacking !== undefined) {
      throw new OAuthError('invalid_scope', `The scope ${lacking} is not granted to this client.`)
    }
    const scopes = requested.length > 0 ? [...new Set(requested)] : client.scopes
    const lifetime = client.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS
    const accessToken = randomBytes(32).toString('base64url')
    this.tokens.set(accessToken, {
      clientId: client.clientId,
      userId: client.userId,
      scopes: new Set(scopes),
      expiresAt: this.now() + lifetime * 1000
    })
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope: scopes.join(' ') }
  }

  /** Whom a Bearer token acts for and with which scopes, or why it is refused. */
  check(accessToken: string): BearerCheck {
    const token = this.tokens.get(accessToken)
    if (!token) return 'unknown'
    if (this.now() >= token.expiresAt) return 'expired'
    return { userId: token.userId, scopes: token.scopes }
  }

  /** For the inspection route: the clients without their secrets. */
  snapshot() {
    return [...this.clients.values()].map(({ clientId, userId, scopes, tokenLifetimeSeconds }) => ({
      clientId,
      userId,
      scopes,
      tokenLifetimeSeconds: tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS
    }))
  }
}
