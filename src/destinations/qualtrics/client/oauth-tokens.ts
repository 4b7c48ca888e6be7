import type { StateContext } from '@segment/actions-core'
import type { Clock } from '../memory/clock'
import type { KeyedWork } from '../memory/keyed-work'
import type { TimedCache } from '../memory/timed-cache'
import { digestOf } from './credentials'
import type { OAuthClient } from './credentials'

/** What the token endpoint gave: the token and its lifetime in seconds (undefined or 0: use once, keep nowhere). */
export interface IssuedToken {
  token: string
  expiresIn?: number
}

/** A token as the runtime's state keeps it: the token and when it stops being used. */
interface StoredToken {
  token: string
  /** Epoch milliseconds after which the token is not used again. */
  usableUntil: number
}

/** The most OAuth clients whose tokens one destination instance keeps (one entry: one client with one set of scopes). */
export const MAX_CACHED_TOKENS = 100
/** Tokens are dropped this long before Qualtrics says they expire, so none expires on its way to Qualtrics. */
export const EXPIRY_MARGIN_SECONDS = 60

/**
 * The key a client's tokens are kept under, here and in the runtime's state: the token endpoint's origin, the client
 * ID, a digest of the secret (a changed secret gets new tokens; the secret itself is never in a key) and the scopes.
 */
export function tokenCacheKey(tokenUrl: string, client: OAuthClient): string {
  const { clientId, clientSecret, scopes } = client
  return `qualtrics-oauth|${new URL(tokenUrl).origin}|${clientId}|${digestOf(clientSecret)}|${scopes.join(' ')}`
}

/**
 * How long a token is kept: `expires_in` less 60 s. A token that lives 2 minutes or less loses half its life
 * instead, so a short-lived one is still reused for a while rather than never (or kept past its expiry).
 */
export function keepForMs(expiresIn: number | undefined): number {
  if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0) return 0
  const margin = Math.min(EXPIRY_MARGIN_SECONDS, expiresIn / 2)
  return Math.floor((expiresIn - margin) * 1000)
}

export interface OAuthSessionOptions {
  key: string
  /** One request to the token endpoint; its errors are the caller's to word. */
  fetchToken: () => Promise<IssuedToken>
  /** The destination instance's tokens and token requests under way (client-state.ts). */
  tokens: TimedCache<string>
  fetches: KeyedWork
  clock: Clock
  stateContext?: StateContext
}

/**
 * The access tokens one client uses. Every concurrent request of the destination instance for the same OAuth client
 * (same key) shares one fetch and one cached token; the runtime's `stateContext`, when it gives one, carries the token
 * to later invocations. A cached token is never trusted blindly: a 401 on a call drops it (`renew`).
 */
export class OAuthSession {
  /** A failed token request, answered again for the rest of this session (one invocation, one batch). */
  private failure?: { error: unknown }

  constructor(private readonly options: OAuthSessionOptions) {}

  /** A usable token: from this instance, else from the runtime's state, else fetched (once for all waiters). */
  async current(): Promise<string> {
    const { tokens, key, clock } = this.options
    const cached = tokens.get(key)
    if (cached !== undefined) return cached
    const stored = this.readState(clock.now())
    if (stored) {
      tokens.set(key, stored.token, stored.usableUntil - clock.now())
      return stored.token
    }
    return this.fetchOnce()
  }

  /** After `stale` was refused: drops it everywhere and gives a new token (another caller's renewal, if one came). */
  async renew(stale: string): Promise<string> {
    const { tokens, key } = this.options
    const cached = tokens.get(key)
    if (cached !== undefined && cached !== stale) return cached
    tokens.delete(key)
    this.writeState('', 1)
    return this.fetchOnce()
  }

  /** A token fetched now, whatever is cached (testAuthentication proves the credentials work today). */
  async fresh(): Promise<string> {
    this.options.tokens.delete(this.options.key)
    return this.fetchOnce()
  }

  /**
   * The pending fetch for this key, or a new one. Once a fetch failed, this session gives the same error again
   * instead of asking again: a batch with rejected credentials makes one token request, not one per event.
   */
  private async fetchOnce(): Promise<string> {
    if (this.failure) throw this.failure.error
    try {
      return await this.options.fetches.shared(this.options.key, () => this.fetchAndKeep())
    } catch (error) {
      this.failure = { error }
      throw error
    }
  }

  private async fetchAndKeep(): Promise<string> {
    const { token, expiresIn } = await this.options.fetchToken()
    const keepMs = keepForMs(expiresIn)
    if (keepMs > 0) {
      this.options.tokens.set(this.options.key, token, keepMs)
      const stored: StoredToken = { token, usableUntil: this.options.clock.now() + keepMs }
      this.writeState(JSON.stringify(stored), Math.floor(keepMs / 1000))
    }
    return token
  }

  /** The token the runtime kept for this key, if it is well formed and still usable. */
  private readState(now: number): StoredToken | undefined {
    let value: unknown
    try {
      value = this.options.stateContext?.getRequestContext?.(this.options.key)
    } catch {
      return undefined
    }
    if (typeof value !== 'string' || value === '') return undefined
    try {
      const entry = JSON.parse(value) as Partial<StoredToken>
      if (typeof entry.token !== 'string' || !/^[\x21-\x7e]+$/.test(entry.token)) return undefined
      if (typeof entry.usableUntil !== 'number' || !(entry.usableUntil > now)) return undefined
      return { token: entry.token, usableUntil: entry.usableUntil }
    } catch {
      return undefined
    }
  }

  /** Best effort: a runtime whose state cannot be written only loses the sharing, never the call. */
  private writeState(value: string, seconds: number): void {
    if (seconds < 1) return
    try {
      this.options.stateContext?.setResponseContext?.(this.options.key, value, { second: seconds })
    } catch {
      // nothing to do: the instance's own cache still holds the token
    }
  }
}
