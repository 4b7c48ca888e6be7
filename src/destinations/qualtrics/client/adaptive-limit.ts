/**
 * An adaptive in-flight limit per Qualtrics account, shared by every batch (and single event) of a destination
 * instance.
 *
 * Workflow runs are one request each and count only against the brand's 3,000/minute, so a fixed small limit leaves
 * most of that unused. The limit grows by one after a run of fast 2xx answers and halves on 429 or 5xx (AIMD, as TCP
 * does), and a Retry-After pauses every new request for the account until then. The client's own 429 retries go
 * through the same gate, so their pause and this one are the same pause.
 */
import { systemClock } from '../memory/clock'
import type { Clock } from '../memory/clock'
import { TimedCache } from '../memory/timed-cache'
import { parseRetryAfterMs } from './timing'

export interface AdaptiveLimitOptions {
  /** The limit a new account starts at. */
  initial?: number
  /** The most requests in flight, however well Qualtrics answers. */
  max?: number
  /** Fast 2xx answers needed for one more request in flight. */
  successesPerStep?: number
  /** An answer slower than this is a sign of load: it does not count towards growth. */
  fastMs?: number
  /** The longest Retry-After honoured, so that a nonsense header cannot hold an account for hours. */
  maxPauseMs?: number
  clock?: Clock
}

/** What the limit needs to know of an answer. */
export interface GatedAnswer {
  status: number
  headers: { get(name: string): string | null }
}

const DEFAULTS = { initial: 8, max: 32, successesPerStep: 4, fastMs: 2000, maxPauseMs: 60_000 }

export class AdaptiveLimit {
  private current: number
  private active = 0
  private successes = 0
  private pausedUntil = 0
  /** Bumped on every decrease: answers to requests sent before it were part of the same overload, not a new one. */
  private epoch = 0
  private waiters: Array<() => void> = []
  private readonly settings: Required<Omit<AdaptiveLimitOptions, 'clock'>>
  private readonly clock: Clock

  constructor(options: AdaptiveLimitOptions = {}) {
    const { clock, ...rest } = options
    this.settings = { ...DEFAULTS, ...rest }
    this.clock = clock ?? systemClock
    this.current = Math.max(1, Math.min(this.settings.initial, this.settings.max))
  }

  get limit(): number {
    return this.current
  }

  get inFlight(): number {
    return this.active
  }

  /** Nobody is sending or waiting: the registry may forget this account. */
  get idle(): boolean {
    return this.active === 0 && this.waiters.length === 0
  }

  /** Sends once a slot is free and no pause is on, then learns from the answer. A throw (no answer) counts as overload. */
  async run<A extends GatedAnswer>(send: () => Promise<A>): Promise<A> {
    await this.acquire()
    const started = this.clock.now()
    const epoch = this.epoch
    try {
      const answer = await send()
      this.learn(answer, started, epoch)
      return answer
    } catch (error) {
      this.decrease(epoch)
      throw error
    } finally {
      this.active--
      this.wakeWaiters()
    }
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const pause = this.pausedUntil - this.clock.now()
      if (pause > 0) {
        await this.clock.sleep(pause)
        continue
      }
      if (this.active < this.current) {
        this.active++
        return
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** Everyone waiting checks again, in the order they came (few waiters: a batch is at most 1,000 events). */
  private wakeWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  private learn(answer: GatedAnswer, started: number, epoch: number): void {
    const retryAfterMs = parseRetryAfterMs(answer.headers.get('retry-after'), this.clock.now())
    if (retryAfterMs !== undefined && (answer.status === 429 || answer.status >= 500)) {
      const until = this.clock.now() + Math.min(retryAfterMs, this.settings.maxPauseMs)
      this.pausedUntil = Math.max(this.pausedUntil, until)
    }
    if (answer.status === 429 || answer.status >= 500) return this.decrease(epoch)
    if (answer.status < 200 || answer.status >= 300) return
    if (this.clock.now() - started > this.settings.fastMs) return
    if (++this.successes < this.settings.successesPerStep) return
    this.successes = 0
    if (this.current < this.settings.max) {
      this.current++
      this.wakeWaiters()
    }
  }

  /** Halves once per overload: the other answers to requests already in flight when it began do not halve again. */
  private decrease(epoch: number): void {
    this.successes = 0
    if (epoch !== this.epoch) return
    this.epoch++
    this.current = Math.max(1, Math.floor(this.current / 2))
  }
}

/** The most accounts remembered; idle ones are forgotten first (a process serves few accounts at a time). */
export const MAX_ACCOUNTS = 500

/**
 * One limit per account key, in the destination's one cache type: bounded, forgetting the least recently used idle
 * account first (a busy one only when every account is busy: its requests finish on the limit they hold). A limit
 * does not expire while it is remembered.
 */
export class LimitRegistry {
  private readonly options: AdaptiveLimitOptions
  private readonly limits: TimedCache<AdaptiveLimit>

  constructor(options: AdaptiveLimitOptions = {}, maxAccounts = MAX_ACCOUNTS) {
    this.options = options
    const clock = options.clock ?? systemClock
    this.limits = new TimedCache({ maxEntries: maxAccounts, ttlMs: Infinity, clock, inUse: (limit) => !limit.idle })
  }

  get size(): number {
    return this.limits.size
  }

  /** The most any account's limit lets through: more workers than this would only wait. */
  get maxInFlight(): number {
    return this.options.max ?? DEFAULTS.max
  }

  for(account: string): AdaptiveLimit {
    const known = this.limits.get(account)
    if (known) return known
    const limit = new AdaptiveLimit(this.options)
    this.limits.set(account, limit)
    return limit
  }
}
