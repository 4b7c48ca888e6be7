import type { StateContext } from '@segment/actions-core'
import { digestOf } from './credentials'
import type { OAuthClient } from './credentials'

/** What the token endpoint gave: the token and its lifetime in seconds (undefined or 0: use once, keep nowhere). */
export interface IssuedToken {
  token: string
  expiresIn?: number
}

interface CachedToken {
  token: string
  /** Epoch milliseconds after which the token is not used again. */
  usableUntil: number
}

/** Milliseconds since the epoch; tests give their own clock. */
export type Clock = () => number

/** The most OAuth clients whose tokens one process keeps (each entry is one client with one set of scopes). */
export const MAX_CACHED_TOKENS = 100
/** Tokens are dropped this long before Qualtrics says they expire, so none expires on its way to Qualtrics. */
export const EXPIRY_MARGIN_SECONDS = 60

const cache = new Map<string, CachedToken>()
const inflight = new Map<string, Promise<CachedToken>>()

/** Forgets every token and pending fetch of this process (tests start from nothing). */
export function clearTokenCache(): void {
  cache.clear()
  inflight.clear()
}

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

function remember(key: string, entry: CachedToken): void {
  cache.delete(key)
  cache.set(key, entry)
  // Oldest first out: a Map iterates in insertion order.
  while (cache.size > MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value as string)
}

export interface OAuthSessionOptions {
  key: string
  /** One request to the token endpoint; its errors are the caller's to word. */
  fetchToken: () => Promise<IssuedToken>
  stateContext?: StateContext
  clock?: Clock
}

/**
 * The access tokens one client uses. Every concurrent request of the process for the same OAuth client (same key)
 * shares one fetch and one cached token; the runtime's `stateContext`, when it gives one, carries the token to
 * later invocations. A cached token is never trusted blindly: a 401 on a call drops it (`renew`).
 */
export class OAuthSession {
  private readonly clock: Clock
  /** A failed token request, answered again for the rest of this session (one invocation, one batch). */
  private failure?: { error: unknown }

  constructor(private readonly options: OAuthSessionOptions) {
    this.clock = options.clock ?? Date.now
  }

  /** A usable token: from this process, else from the runtime's state, else fetched (once for all waiters). */
  async current(): Promise<string> {
    const now = this.clock()
    const cached = cache.get(this.options.key)
    if (cached && cached.usableUntil > now) return cached.token
    if (cached) cache.delete(this.options.key)
    const stored = this.readState(now)
    if (stored) {
      remember(this.options.key, stored)
      return stored.token
    }
    return (await this.fetchOnce()).token
  }

  /** After `stale` was refused: drops it everywhere and gives a new token (another caller's renewal, if one came). */
  async renew(stale: string): Promise<string> {
    const cached = cache.get(this.options.key)
    if (cached && cached.token !== stale && cached.usableUntil > this.clock()) return cached.token
    if (cached) cache.delete(this.options.key)
    this.writeState('', 1)
    return (await this.fetchOnce()).token
  }

  /** A token fetched now, whatever is cached (testAuthentication proves the credentials work today). */
  async fresh(): Promise<string> {
    cache.delete(this.options.key)
    return (await this.fetchOnce()).token
  }

  /**
   * The pending fetch for this key, or a new one. Once a fetch failed, this session gives the same error again
   * instead of asking again: a batch with rejected credentials makes one token request, not one per event.
   */
  private async fetchOnce(): Promise<CachedToken> {
    if (this.failure) throw this.failure.error
    const { key } = this.options
    let pending = inflight.get(key)
    if (!pending) {
      pending = this.fetchAndKeep().finally(() => inflight.delete(key))
      inflight.set(key, pending)
    }
    try {
      return await pending
    } catch (error) {
      this.failure = { error }
      throw error
    }
  }

  private async fetchAndKeep(): Promise<CachedToken> {
    const { token, expiresIn } = await this.options.fetchToken()
    const keepMs = keepForMs(expiresIn)
    const entry = { token, usableUntil: this.clock() + keepMs }
    if (keepMs > 0) {
      remember(this.options.key, entry)
      this.writeState(JSON.stringify(entry), Math.floor(keepMs / 1000))
    }
    return entry
  }

  /** The token the runtime kept for this key, if it is well formed and still usable. */
  private readState(now: number): CachedToken | undefined {
    let value: unknown
    try {
      value = this.options.stateContext?.getRequestContext?.(this.options.key)
    } catch {
      return undefined
    }
    if (typeof value !== 'string' || value === '') return undefined
    try {
      const entry = JSON.parse(value) as Partial<CachedToken>
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
      // nothing to do: the in-process cache still holds the token
    }
  }
}
