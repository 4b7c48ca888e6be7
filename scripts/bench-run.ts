/**
 * One benchmark scenario, in a process of its own so CPU time and peak memory are this scenario's alone.
 * Started by scripts/bench.ts with BENCH_SCENARIO (JSON) in the environment; prints one JSON line.
 */
import { defaultValues, Destination, type JSONObject } from '@segment/actions-core'
import qualtrics from '../src/destinations/qualtrics'
import { mapWithConcurrency } from '../src/destinations/qualtrics/batching'
import { isRetryableStatus, setApiOriginOverride } from '../src/destinations/qualtrics/client'
import { ACTION_FOR, DIRECTORY_ID, MAILING_LIST_ID, SETTINGS, WORKFLOW_URL, workload, type EventKind } from './workload'

export interface Scenario {
  sandboxUrl: string
  kind: EventKind
  mode: 'single' | 'batch'
  events: number
  users: number
  batchSize: number
  contactLookup?: 'search' | 'deduplication'
  /** Single mode: events in flight at once (Segment delivers single events in parallel). */
  concurrency: number
  /** Segment's retries, emulated: retryable failures are sent again, up to this many attempts in all. */
  attempts: number
  retryDelayMs: number
}

export interface ScenarioResult {
  delivered: number
  failed: Record<string, number>
  resent: number
  wallMs: number
  cpuMs: number
  peakRssMb: number
  peakHeapMb: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function run(scenario: Scenario): Promise<ScenarioResult> {
  setApiOriginOverride(scenario.sandboxUrl)
  const slug = ACTION_FOR[scenario.kind]
  const action = new Destination(qualtrics).actions[slug]
  const fields = qualtrics.actions[slug].fields
  const mapping = {
    ...defaultValues(fields),
    directoryId: DIRECTORY_ID,
    mailingListId: MAILING_LIST_ID,
    workflowUrl: WORKFLOW_URL,
    batch_size: scenario.batchSize,
    ...(scenario.contactLookup ? { contactLookup: scenario.contactLookup } : {})
  } as JSONObject
  const events = workload([scenario.kind], scenario.events, scenario.users) as unknown as JSONObject[]

  let peakRss = 0
  let peakHeap = 0
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage()
    peakRss = Math.max(peakRss, rss)
    peakHeap = Math.max(peakHeap, heapUsed)
  }
  const sampler = setInterval(sample, 10)

  // Sends `pending` once; returns the final status of each event that will not be retried, and the retryable rest.
  const deliverOnce = async (pending: JSONObject[]) => {
    const statuses: number[] = []
    if (scenario.mode === 'single') {
      const results = await mapWithConcurrency(pending, scenario.concurrency, async (event) => {
        try {
          await action.execute({ data: event, mapping, settings: SETTINGS, auth: undefined })
          return 200
        } catch (error) {
          return (error as { status?: number }).status ?? 500
        }
      })
      statuses.push(...results)
    } else {
      for (let i = 0; i < pending.length; i += scenario.batchSize) {
        const batch = pending.slice(i, i + scenario.batchSize)
        const nodes = await action.executeBatch({ data: batch, mapping, settings: SETTINGS, auth: undefined })
        statuses.push(...(nodes as unknown as { status: number }[]).map((node) => node.status))
      }
    }
    const final = statuses.filter((status) => !isRetryableStatus(status))
    const retry = pending.filter((_, i) => isRetryableStatus(statuses[i]))
    return { final, retry, retryStatuses: statuses.filter(isRetryableStatus) }
  }

  const startCpu = process.cpuUsage()
  const started = performance.now()
  const finalStatuses: number[] = []
  let pending = events
  let resent = 0
  for (let attempt = 1; pending.length > 0; attempt++) {
    const { final, retry, retryStatuses } = await deliverOnce(pending)
    finalStatuses.push(...final)
    if (attempt >= scenario.attempts) {
      finalStatuses.push(...retryStatuses)
      break
    }
    resent += retry.length
    pending = retry
    if (retry.length > 0) await sleep(scenario.retryDelayMs)
  }
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(startCpu)
  clearInterval(sampler)
  sample()

  const failed: Record<string, number> = {}
  for (const status of finalStatuses.filter((s) => s < 200 || s >= 300)) failed[status] = (failed[status] ?? 0) + 1
  return {
    delivered: finalStatuses.filter((s) => s >= 200 && s < 300).length,
    failed,
    resent,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20
  }
}

if (require.main === module) {
  run(JSON.parse(process.env.BENCH_SCENARIO ?? '{}') as Scenario)
    .then((result) => {
      console.log(JSON.stringify(result))
      process.exit(0)
    })
    .catch((error: Error) => {
      console.error(error.stack ?? error.message)
      process.exit(1)
    })
}
