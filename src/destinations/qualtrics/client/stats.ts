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

/** Requests by endpoint (a short name, never a URL) and status; a 429 is also counted on its own. */
export function countRequest(stats: Stats, endpoint: string, status: number | 'no response'): void {
  const tags = [`endpoint:${endpoint}`, `status:${status}`]
  stats.incr(METRICS.request, tags)
  if (status === 429) stats.incr(METRICS.rateLimited, [`endpoint:${endpoint}`])
}

/** How many events one performBatch got, per action. */
export function recordBatchSize(context: StatsContext | undefined, action: string, size: number): void {
  new Stats(context).histogram(METRICS.batchSize, size, [`action:${action}`])
}

/** Path patterns (after /API/v3 where there is one) → the short endpoint name counters carry. */
const ENDPOINTS: Array<[RegExp, string, string?]> = [
  [/\/oauth2\/token$/, 'oauth.token'],
  [/\/inbound-event\//i, 'workflow.trigger'],
  [/\/whoami$/, 'whoami'],
  [/\/directories$/, 'directories.list'],
  [/\/directories\/[^/]+\/mailinglists$/, 'mailinglists.create', 'POST'],
  [/\/directories\/[^/]+\/mailinglists$/, 'mailinglists.list'],
  [/\/directories\/[^/]+\/mailinglists\/[^/]+$/, 'mailinglists.get'],
  [/\/directories\/[^/]+\/mailinglists\/[^/]+\/contacts$/, 'mailinglist_contacts.add'],
  [/\/directories\/[^/]+\/mailinglists\/[^/]+\/contacts\/[^/]+$/, 'mailinglist_contacts.remove', 'DELETE'],
  [/\/directories\/[^/]+\/contacts\/search$/, 'contacts.search'],
  [/\/directories\/[^/]+\/contacts$/, 'contacts.create'],
  [/\/directories\/[^/]+\/contacts\/[^/]+$/, 'contacts.delete', 'DELETE'],
  [/\/directories\/[^/]+\/contacts\/[^/]+$/, 'contacts.update', 'PUT'],
  [/\/directories\/[^/]+\/transactions$/, 'transactions.create'],
  [/\/directories\/[^/]+\/transactionbatches$/, 'transactionbatches.create'],
  [/\/mailinglists\/[^/]+\/transactioncontacts$/, 'imports.create'],
  [/\/mailinglists\/[^/]+\/transactioncontacts\/[^/]+$/, 'imports.get'],
  [/\/op-erase-personal-data$/, 'personal_data.erase']
]

/** The short name of the endpoint a request goes to: ids and hosts never reach a metric's tags. */
export function endpointOf(method: string, url: string): string {
  let path: string
  try {
    path = new URL(url).pathname.replace(/\/+$/, '')
  } catch {
    return 'other'
  }
  const found = ENDPOINTS.find(([pattern, , only]) => pattern.test(path) && (!only || only === method))
  return found ? found[1] : 'other'
}
