import type { StatsContext } from '@segment/actions-core'
import type { StatsClient } from '@segment/actions-core/destination-kit'

/** The server's own counter: events received, tagged with the path they came in by (`path:/v1/batch`). */
export const EVENTS_RECEIVED = 'local.events_received'

interface Counter {
  name: string
  tags: string[]
  value: number
}

interface Histogram {
  name: string
  tags: string[]
  count: number
  sum: number
  min: number
  max: number
}

const keyOf = (name: string, tags: string[]) => JSON.stringify([name, tags])

/**
 * A statsClient that adds up in memory what the destination (and actions-core itself) counts during this server's
 * runs, as Segment's would, and the events each path received (EVENTS_RECEIVED): counters by name and tags,
 * histograms as count, sum, min and max. `set` keeps the last value as a counter; `observe` is not used by the
 * destination and is ignored.
 */
export class MemoryStatsClient implements StatsClient {
  private readonly counters = new Map<string, Counter>()
  private readonly histograms = new Map<string, Histogram>()

  incr(name: string, value = 1, tags: string[] = []): void {
    const sorted = [...tags].sort()
    const key = keyOf(name, sorted)
    const counter = this.counters.get(key) ?? { name, tags: sorted, value: 0 }
    counter.value += value
    this.counters.set(key, counter)
  }

  set(name: string, value: number, tags: string[] = []): void {
    const sorted = [...tags].sort()
    this.counters.set(keyOf(name, sorted), { name, tags: sorted, value })
  }

  histogram(name: string, value = 0, tags: string[] = []): void {
    const sorted = [...tags].sort()
    const key = keyOf(name, sorted)
    const seen = this.histograms.get(key)
    if (!seen) {
      this.histograms.set(key, { name, tags: sorted, count: 1, sum: value, min: value, max: value })
      return
    }
    seen.count += 1
    seen.sum += value
    seen.min = Math.min(seen.min, value)
    seen.max = Math.max(seen.max, value)
  }

  observe(): void {}

  _name(name: string): string {
    return name
  }

  _tags(tags: string[] = []): string[] {
    return tags
  }

  /** Everything so far, sorted by name then tags, copied so that callers cannot change the totals. */
  snapshot(): { counters: Counter[]; histograms: Histogram[] } {
    const byName = <T extends { name: string; tags: string[] }>(a: T, b: T) =>
      a.name.localeCompare(b.name) || a.tags.join(',').localeCompare(b.tags.join(','))
    return {
      counters: [...this.counters.values()].map((c) => ({ ...c, tags: [...c.tags] })).sort(byName),
      histograms: [...this.histograms.values()].map((h) => ({ ...h, tags: [...h.tags] })).sort(byName)
    }
  }
}

/** A fresh context per run: actions-core appends `partnerAction:<slug>` to the tags it is given. */
export function runStatsContext(client: MemoryStatsClient): StatsContext {
  return { statsClient: client, tags: [] }
}
