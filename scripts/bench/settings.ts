/** The bench's command-line settings, shared by `npm run bench` and `npm run bench:profiles`. */
import { PROFILES } from '../../src/sandbox'
import type { Profile } from '../../src/sandbox'
import type { BenchSettings } from './workloads'

export function flag(name: string, fallback: number): number
export function flag(name: string, fallback: string): string
export function flag(name: string, fallback: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = process.argv[i + 1]
  if (typeof fallback === 'number') {
    const n = Number(value)
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a number, not "${value}"`)
    return n
  }
  return value
}

/** The sandbox profile: --profile, else SANDBOX_PROFILE, else default. */
export function profileOf(value: string | undefined): Profile {
  const profile = value || 'default'
  if (!(profile in PROFILES))
    throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, not "${profile}"`)
  return profile as Profile
}

/** The workloads' settings from the command line (the defaults are the figures' settings in docs/benchmarks.md). */
export function benchSettings(): BenchSettings {
  return {
    latencyMs: flag('latency', 50),
    timeScale: flag('time-scale', 10),
    indexLagMs: flag('index-lag-ms', 1000),
    events: flag('events', 1000),
    users: flag('users', 200),
    only: flag('only', ''),
    steadyBatches: flag('steady-batches', 10),
    steadyUsers: flag('steady-users', 2000),
    audienceMembers: flag('audience-members', 10_000),
    profile: profileOf(flag('profile', process.env.SANDBOX_PROFILE ?? ''))
  }
}
