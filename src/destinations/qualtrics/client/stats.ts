import type { StatsContext } from '@segment/actions-core'

/** Counter and histogram names, in one place so the server's stats page and dashboards read the same words. */
export const METRICS = {
  request: 'qualtrics.request',
  rateLimited: 'qualtrics.rate_limited',
  contactCache: 'qualtrics.contact_cache',
  batchSize: 'qualtrics.batch_size',
  /** Bulk imports by how they ended (complete, partial, nothing, failed, timeout, unknown, refused), records, polls. */
  importJob: 'qualtrics.import_job',
  importRecords: 'qualtrics.import_records',
  importPolls: 'qualtrics.import_polls'
} as const

/**
 * Counters through actions-core's `statsContext`, when the runtime gives one. Every call is optional-chained: tests
 * (testAction) pass `{}`, the local server an in-memory client, Segment its own. The context's tags go on every metric.
 */
export class Stats {
  constructor(private readonly context?: StatsContext) {}

  incr(name: string, tags: string[] = [], value = 1): void {
    this.context?.statsClient?.incr?.(name, value, [...(this.context?.tags ?? []), ...tags])
  }

  histogram(name: string, value: number, tags: string[] = []): void {
    this.context?.statsClient?.histogram?.(name, value, [...(this.context?.tags ?? []), ...tags])
  }
}

/** Requests by endpoint (its name in endpoints.ts, never a URL) and status; a 429 is also counted on its own. */
export function countRequest(stats: Stats, endpoint: string, status: number | 'no response'): void {
  const tags = [`endpoint:${endpoint}`, `status:${status}`]
  stats.incr(METRICS.request, tags)
  if (status === 429) stats.incr(METRICS.rateLimited, [`endpoint:${endpoint}`])
}

/** How many events one performBatch got, per action. */
export function recordBatchSize(context: StatsContext | undefined, action: string, size: number): void {
  new Stats(context).histogram(METRICS.batchSize, size, [`action:${action}`])
}
