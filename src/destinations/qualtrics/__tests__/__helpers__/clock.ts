import type { Clock } from '../../memory/clock'

/** 2024-03-01T12:00:00Z: where every test clock starts, so that what depends on the time is the same on every run. */
export const TEST_START = Date.parse('2024-03-01T12:00:00Z')

/**
 * A clock for tests: its time moves only through pauses (`sleep` moves it on to the pause's end at once, after
 * letting other work run) or `advance`, never by real waiting. A race's timer (`after`) fires when the time gets
 * there.
 */
export class TestClock implements Clock {
  private time: number
  private timers: Array<{ at: number; fire: () => void }> = []

  constructor(start = TEST_START) {
    this.time = start
  }

  now = (): number => this.time

  sleep = async (ms: number): Promise<void> => {
    const end = this.time + Math.max(0, ms)
    await new Promise((resolve) => setImmediate(resolve))
    this.moveTo(end)
  }

  after = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return
      const timer = { at: this.time + Math.max(0, ms), fire: resolve }
      signal.addEventListener('abort', () => (this.timers = this.timers.filter((t) => t !== timer)), { once: true })
      this.timers.push(timer)
      if (timer.at <= this.time) this.moveTo(this.time)
    })

  /** Moves the time on by `ms`, firing the timers that come due. */
  advance(ms: number): void {
    this.moveTo(this.time + ms)
  }

  private moveTo(time: number): void {
    this.time = Math.max(this.time, time)
    const due = this.timers.filter((timer) => timer.at <= this.time)
    this.timers = this.timers.filter((timer) => timer.at > this.time)
    for (const timer of due) timer.fire()
  }
}
