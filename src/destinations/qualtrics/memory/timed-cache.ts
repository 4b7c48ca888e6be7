import type { Clock } from './clock'

export interface TimedCacheOptions<V> {
  /** The most entries kept; the least recently used goes first. */
  maxEntries: number
  /** How long an entry lives from when it was stored, unless `set` gives its own. */
  ttlMs: number
  clock: Clock
  /** An entry still in use (a busy limit, say) is evicted only when every other entry is. */
  inUse?: (value: V) => boolean
}

interface Entry<V> {
  value: V
  expiresAt: number
}

/**
 * The one cache type of the destination: bounded (least recently used first out) and timed (an entry lives its TTL
 * from when it was stored, on the state's clock). Each instance belongs to one destination instance's state.
 */
export class TimedCache<V> {
  readonly maxEntries: number
  readonly ttlMs: number
  private readonly entries = new Map<string, Entry<V>>()

  constructor(private readonly options: TimedCacheOptions<V>) {
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries))
    this.ttlMs = options.ttlMs
  }

  get size(): number {
    return this.entries.size
  }

  /** The live value for `key` (it becomes the most recently used), or undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    if (this.options.clock.now() >= entry.expiresAt) return undefined
    // Map order is recency order: a hit moves to the back, the front is evicted first.
    this.entries.set(key, entry)
    return entry.value
  }

  /** Stores `value` for `ttlMs` (the cache's own TTL by default); a TTL of 0 or less stores nothing. */
  set(key: string, value: V, ttlMs = this.ttlMs): void {
    this.entries.delete(key)
    if (!(ttlMs > 0)) return
    // Room is made before the new entry goes in, so that it is never its own victim.
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.victim())
    this.entries.set(key, { value, expiresAt: this.options.clock.now() + ttlMs })
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  /** The key to evict: the least recently used entry that is expired or not in use, else the least recently used. */
  private victim(): string {
    const now = this.options.clock.now()
    const inUse = this.options.inUse
    for (const [key, entry] of this.entries) {
      if (!inUse || now >= entry.expiresAt || !inUse(entry.value)) return key
    }
    return this.entries.keys().next().value as string
  }
}
