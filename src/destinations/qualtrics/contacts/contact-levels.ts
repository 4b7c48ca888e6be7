// eslint-disable-next-line no-restricted-syntax -- keys of the runtime's state; nothing hashed goes to Qualtrics
import { createHash } from 'crypto'
import type { StateContext } from '@segment/actions-core'
import type { QualtricsClient } from '../client'
import { METRICS } from '../client/stats'
import type { Stats } from '../client/stats'
import { CONTACT_CACHE_TTL_MS } from './contact-cache'
import type { ContactCacheLevel, KnownContact } from './contact-cache'

/** Marks our entries among whatever else the runtime's state holds (OAuth tokens, other destinations' values). */
const STATE_KEY_PREFIX = 'qualtrics.contact:'
/** Written over a forgotten entry: the state has no delete, and an empty value reads as nothing. */
const FORGOTTEN = ''

/**
 * The state key for a memory key: a digest, so that no identifier value (an email, a phone number) and no account
 * detail is handed to the runtime's store, and every key is the same short length. The memory key already holds
 * only digests of credentials, never a token.
 */
export function stateKeyOf(memoryKey: string): string {
  return `${STATE_KEY_PREFIX}${createHash('sha256').update(memoryKey).digest('base64url')}`
}

function parseStored(raw: unknown): KnownContact | undefined {
  if (typeof raw !== 'string' || raw === FORGOTTEN) return undefined
  try {
    const { c, e } = JSON.parse(raw) as { c?: unknown; e?: unknown }
    if (typeof c !== 'string' || c === '') return undefined
    return { contactId: c, ...(typeof e === 'string' ? { extRef: e } : {}) }
  } catch {
    return undefined
  }
}

/**
 * The runtime's state as a cache level (actions-core `stateContext`): what one invocation sets, later ones get.
 * It is read synchronously, as monorepo destinations do, and lives as long as the memory level's entries.
 */
export class StateContactLevel implements ContactCacheLevel {
  constructor(private readonly state: StateContext) {}

  /** A runtime that gives no state (tests pass `{}`) has no second level. */
  static of(state: StateContext | undefined): StateContactLevel | undefined {
    return typeof state?.getRequestContext === 'function' && typeof state.setResponseContext === 'function'
      ? new StateContactLevel(state)
      : undefined
  }

  get(key: string): KnownContact | undefined {
    return parseStored(this.state.getRequestContext(stateKeyOf(key)))
  }

  set(key: string, contact: KnownContact): void {
    const value = JSON.stringify({
      c: contact.contactId,
      ...(contact.extRef === undefined ? {} : { e: contact.extRef })
    })
    this.state.setResponseContext(stateKeyOf(key), value, { second: CONTACT_CACHE_TTL_MS / 1000 })
  }

  delete(key: string): void {
    this.state.setResponseContext(stateKeyOf(key), FORGOTTEN, { second: CONTACT_CACHE_TTL_MS / 1000 })
  }
}

/**
 * Memory first, then the runtime's state; a state hit is copied into memory. A forgotten key is not read from the
 * state again in this invocation: the state answers what the invocation started with, so it would still hold the
 * contact Qualtrics has just said is gone. Hits and misses of each level are counted.
 */
export class TwoLevelContactCache implements ContactCacheLevel {
  private readonly forgotten = new Set<string>()

  constructor(
    private readonly memory: ContactCacheLevel,
    private readonly state: ContactCacheLevel | undefined,
    private readonly stats?: Stats
  ) {}

  get(key: string): KnownContact | undefined {
    const inMemory = this.memory.get(key)
    this.count('memory', inMemory !== undefined)
    if (inMemory || !this.state || this.forgotten.has(key)) return inMemory
    const stored = this.state.get(key)
    this.count('state', stored !== undefined)
    if (stored) this.memory.set(key, stored)
    return stored
  }

  set(key: string, contact: KnownContact): void {
    this.forgotten.delete(key)
    this.memory.set(key, contact)
    this.state?.set(key, contact)
  }

  delete(key: string): void {
    this.memory.delete(key)
    if (!this.state) return
    this.forgotten.add(key)
    this.state.delete(key)
  }

  private count(level: 'memory' | 'state', hit: boolean): void {
    this.stats?.incr(METRICS.contactCache, [`level:${level}`, `result:${hit ? 'hit' : 'miss'}`])
  }
}

/**
 * The contact cache a client's invocation uses: its destination instance's memory, and the runtime's state when it
 * gives one.
 */
export function contactLevelsFor(client: QualtricsClient, memory: ContactCacheLevel): ContactCacheLevel {
  return new TwoLevelContactCache(memory, StateContactLevel.of(client.stateContext), client.stats)
}
