/**
 * Work in progress, by key, in one destination instance: nothing stays once the work settles. Two ways to use it:
 * `shared` joins the work already running for a key (one OAuth token fetch for every waiter), `exclusive` waits until
 * no work holds any of its keys and holds them meanwhile (one lookup of a person at a time).
 */
export class KeyedWork {
  private readonly running = new Map<string, Promise<unknown>>()

  /** How many keys are held right now. */
  get size(): number {
    return this.running.size
  }

  /** The work running for `key`, or `start()` run and held under it until it settles. */
  shared<T>(key: string, start: () => Promise<T>): Promise<T> {
    const pending = this.running.get(key) as Promise<T> | undefined
    if (pending) return pending
    const work = start()
    this.hold([key], work)
    return work
  }

  /** Runs `work` once no work holds any of `keys`, and holds them until it settles. */
  async exclusive<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    for (;;) {
      const busy = keys.map((key) => this.running.get(key)).filter((p): p is Promise<unknown> => p !== undefined)
      if (busy.length === 0) break
      await Promise.all(busy.map((p) => p.catch(() => undefined)))
    }
    // No await between the check above and taking the keys: nothing else can take them in between.
    const running = work()
    this.hold(keys, running)
    return running
  }

  /** Holds `keys` with `work` until it settles; the caller handles its outcome. */
  private hold(keys: string[], work: Promise<unknown>): void {
    for (const key of keys) this.running.set(key, work)
    const release = () => {
      for (const key of keys) if (this.running.get(key) === work) this.running.delete(key)
    }
    void work.then(release, release)
  }
}
