/**
 * Time as the destination keeps it: what it remembers expires by it, and its pauses and deadlines run on it. Tests
 * give a clock whose pauses pass no real time. A request's own timeout is the network's, in real time (transport.ts).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** A pause: resolves after `ms`. A test clock moves its time on to the pause's end at once. */
  sleep(ms: number): Promise<void>
  /**
   * Resolves once `ms` have passed, the losing side of a race against other work, and never settles once `signal`
   * aborts. A test clock resolves it only when its time gets there (through someone's pause).
   */
  after(ms: number, signal: AbortSignal): Promise<void>
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  after: (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return
      const timer = setTimeout(resolve, ms)
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true })
    })
})
