/**
 * The sandbox's own time: real time sped up by `timeScale` (60 makes a real second a sandbox minute), plus any time
 * skipped with `advance`. Rate limits and the search index's lag are measured on it, so a test or a fault run can
 * let "an hour" pass without waiting for one.
 */
export class SandboxClock {
  private readonly startedAt: number
  private skipped = 0

  constructor(
    readonly timeScale = 1,
    private readonly realNow: () => number = Date.now
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new Error('The sandbox time scale must be a positive number')
    }
    this.startedAt = realNow()
  }

  /** Sandbox milliseconds since the clock started. */
  now(): number {
    return (this.realNow() - this.startedAt) * this.timeScale + this.skipped
  }

  /** Moves the clock on by `ms` sandbox milliseconds at once, as if that much time had passed. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error('The sandbox clock only moves forward')
    this.skipped += ms
  }
}
