import { IntegrationError } from '@segment/actions-core'
import type { TimedCache } from '../memory/timed-cache'
import { ERASURE_SCOPE } from './credentials'
import type { OAuthScope } from './endpoints'
import type { Operation } from './errors'
import type { OAuthSession } from './oauth-tokens'

/** Where an OAuth client's scopes are set, in Qualtrics' words. */
export const CLIENT_PLACE = 'Account settings → Qualtrics IDs → OAuth Client Manager'

/** A token request refused with `invalid_scope` (oauth-token-request.ts), with the scopes Qualtrics named, if any. */
export class ScopeRefused extends IntegrationError {
  readonly named: string[]
  readonly why: string

  constructor(message: string, named: string[], why: string) {
    super(message, 'OAUTH_SCOPE_MISSING', 400)
    this.named = named
    this.why = why
  }
}

/** A call that needs no particular scope, from a client none of whose feature scopes is known to be granted. */
const ANY_CALL_SCOPE: OAuthScope = 'read:directories'

/** The final error of a call that needs a scope the client lacks: it names the scope and the call. */
export function scopeMissing(scope: string, operation: Operation, why: string): IntegrationError {
  const erasure =
    scope === ERASURE_SCOPE
      ? ` ${ERASURE_SCOPE} is needed because "Erase personal data" is on: it needs a brand administrator's client, or turn the setting off.`
      : ''
  return new IntegrationError(
    `The OAuth client lacks the scope ${scope}, which the call to ${operation.description} needs${why}: add it to the client in ${CLIENT_PLACE}.${erasure}`,
    'OAUTH_SCOPE_MISSING',
    400
  )
}

export interface ScopedTokensOptions {
  /** Every scope the enabled features need: the first token is asked for all of them, to serve every call. */
  wanted: string[]
  /** The session of one set of scopes (one token each, shared and kept as oauth-tokens.ts says). */
  session: (scopes: string[]) => OAuthSession
  /** Per client, the set asked for instead of `wanted` since Qualtrics refused it (empty: each call its own). */
  refusals: TimedCache<string[]>
  /** The client, as `refusals` keys it (no secret: a digest). */
  clientKey: string
}

/**
 * The tokens of one OAuth client, asked for only the scopes the calls need. A token for every feature's scope serves
 * all calls (one token request); when Qualtrics refuses that set (`invalid_scope`: no token at all), the scopes it
 * named are dropped and the rest asked for again (or, when it named none, each call asks for its own scope), and the
 * destination instance remembers the smaller set for a while (`refusals`). A call whose scope is not in that set asks
 * for a token of its scope alone; refused, it fails with an error naming the scope and the call.
 */
export class ScopedTokens {
  private readonly sessions = new Map<string, OAuthSession>()

  constructor(private readonly options: ScopedTokensOptions) {}

  /** A token for a call to `operation` that needs `scope` (undefined: any token), from `use` on the right session. */
  async token(
    scope: OAuthScope | undefined,
    operation: Operation,
    use: (session: OAuthSession) => Promise<string>
  ): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const { scopes, shared } = this.scopesFor(scope)
      try {
        return await use(this.sessionOf(scopes))
      } catch (error) {
        if (!(error instanceof ScopeRefused)) throw error
        if (!shared || attempt > this.options.wanted.length) {
          throw scopeMissing(error.named[0] ?? scopes.join(' '), operation, error.why)
        }
        this.refuse(scopes, error.named)
      }
    }
  }

  /** The set a call asks for: the client's shared set when it holds the call's scope, else that scope alone. */
  private scopesFor(scope: OAuthScope | undefined): { scopes: string[]; shared: boolean } {
    const granted = this.options.refusals.get(this.options.clientKey) ?? this.options.wanted
    if (scope === undefined)
      return granted.length > 0 ? { scopes: granted, shared: true } : this.scopesFor(ANY_CALL_SCOPE)
    return granted.includes(scope) ? { scopes: granted, shared: true } : { scopes: [scope], shared: false }
  }

  /** After `scopes` was refused: the set without the scopes Qualtrics named, or none (each call its own scope). */
  private refuse(scopes: string[], named: string[]): void {
    const smaller = scopes.filter((scope) => !named.includes(scope))
    const next = named.length > 0 && smaller.length < scopes.length ? smaller : []
    this.options.refusals.set(this.options.clientKey, next)
  }

  private sessionOf(scopes: string[]): OAuthSession {
    const key = scopes.join(' ')
    let session = this.sessions.get(key)
    if (!session) {
      session = this.options.session(scopes)
      this.sessions.set(key, session)
    }
    return session
  }
}
