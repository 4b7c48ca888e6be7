/**
 * One benchmark scenario, in a process of its own so CPU time and peak memory are this scenario's alone.
 * Started by bench.ts with BENCH_SCENARIO (JSON) in the environment; prints one JSON line.
 */
import { spawn } from 'node:child_process'
import { defaultValues, Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import { createQualtrics } from '../../src/destinations/qualtrics'
import { mapWithConcurrency } from '../../src/destinations/qualtrics/batching'
import { isRetryableStatus } from '../../src/destinations/qualtrics/client'
import { ACTION_FOR, DIRECTORY_ID, MAILING_LIST_ID, SETTINGS, WORKFLOW_URL, workload } from '../workload/events'
import type { EventKind } from '../workload/events'
import { attemptTimes } from '../../src/server/tracking'
import type { RetryPolicy } from '../../src/server/tracking'

/**
 * The bench's replay of Segment's retries (src/server/tracking/segment-retries.ts): it waits in real time and
 * measures throughput, so every retryable failure gets the same few chances a second apart (5 attempts in 4 s)
 * instead of hours of back-off.
 */
export const BENCH_RETRY_POLICY: RetryPolicy = { firstDelayMs: 1000, maxDelayMs: 1000, windowMs: 4000 }

export interface Scenario {
  sandboxUrl: string
  kind: EventKind
  mode: 'single' | 'batch'
  events: number
  users: number
  batchSize: number
  contactLookup?: 'search' | 'deduplication'
  /** upsertContactTransaction's "Bulk import" field (import.ts). */
  bulkImport?: boolean
  /** Single mode: events in flight at once (Segment delivers single events in parallel). */
  concurrency: number
  /** Segment's retries, emulated: retryable failures are sent again at each moment of this schedule. */
  retries: RetryPolicy
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

/** Peak resident and heap memory, sampled every 10 ms from `start` on (call `stop` for the final figures). */
export function memorySampler() {
  let peakRss = 0
  let peakHeap = 0
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage()
    peakRss = Math.max(peakRss, rss)
    peakHeap = Math.max(peakHeap, heapUsed)
  }
  sample()
  const timer = setInterval(sample, 10)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return { peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20 }
    }
  }
}

/** The action under test and the mapping a Segment user would save for the scenario's settings. */
export function actionFor(
  scenario: Pick<Scenario, 'sandboxUrl' | 'kind' | 'batchSize' | 'contactLookup' | 'bulkImport'>
) {
  const qualtrics = createQualtrics({ apiOrigin: scenario.sandboxUrl })
  const slug = ACTION_FOR[scenario.kind]
  const action = new Destination(qualtrics).actions[slug]
  const mapping = {
    ...defaultValues(qualtrics.actions[slug].fields),
    directoryId: DIRECTORY_ID,
    mailingListId: MAILING_LIST_ID,
    workflowUrl: WORKFLOW_URL,
    batch_size: scenario.batchSize,
    ...(scenario.contactLookup ? { contactLookup: scenario.contactLookup } : {}),
    ...(scenario.bulkImport ? { bulkImport: true } : {})
  } as JSONObject
  const sendBatch = async (batch: JSONObject[]) => {
    const nodes = await action.executeBatch({ data: batch, mapping, settings: SETTINGS, auth: undefined })
    return (nodes as unknown as { status: number }[]).map((node) => node.status)
  }
  const sendOne = async (event: JSONObject) => {
    try {
      await action.execute({ data: event, mapping, settings: SETTINGS, auth: undefined })
      return 200
    } catch (error) {
      return (error as { status?: number }).status ?? 500
    }
  }
  return { sendBatch, sendOne }
}

/**
 * Sends `events` with `send` (one attempt at all pending events, their statuses in order) and re-sends the retryable
 * ones, as Segment would, at each moment of the policy's schedule (waiting in real time with `wait`). Returns each
 * event's final status and how many were re-sent.
 */
export async function deliverWithRetries<E>(
  events: E[],
  send: (pending: E[]) => Promise<number[]>,
  policy: RetryPolicy,
  wait: (ms: number) => Promise<unknown> = sleep
) {
  const schedule = attemptTimes(policy)
  const finalStatuses: number[] = []
  let pending = events
  let resent = 0
  for (let attempt = 1; pending.length > 0; attempt++) {
    const statuses = await send(pending)
    const again = pending.filter((_, i) => isRetryableStatus(statuses[i]))
    if (attempt >= schedule.length || again.length === 0) {
      finalStatuses.push(...statuses)
      break
    }
    finalStatuses.push(...statuses.filter((status) => !isRetryableStatus(status)))
    resent += again.length
    pending = again
    await wait(schedule[attempt] - schedule[attempt - 1])
  }
  return { finalStatuses, resent }
}

/** Delivered events and the final failures by status. */
export function tally(finalStatuses: number[]) {
  const failed: Record<string, number> = {}
  for (const status of finalStatuses.filter((s) => s < 200 || s >= 300)) failed[status] = (failed[status] ?? 0) + 1
  return { delivered: finalStatuses.filter((s) => s >= 200 && s < 300).length, failed }
}

async function run(scenario: Scenario): Promise<ScenarioResult> {
  const { sendBatch, sendOne } = actionFor(scenario)
  const events = workload([scenario.kind], scenario.events, scenario.users) as unknown as JSONObject[]
  const send = async (pending: JSONObject[]) => {
    if (scenario.mode === 'single') return mapWithConcurrency(pending, scenario.concurrency, sendOne)
    const statuses: number[] = []
    for (let i = 0; i < pending.length; i += scenario.batchSize) {
      statuses.push(...(await sendBatch(pending.slice(i, i + scenario.batchSize))))
    }
    return statuses
  }

  const memory = memorySampler()
  const startCpu = process.cpuUsage()
  const started = performance.now()
  const { finalStatuses, resent } = await deliverWithRetries(events, send, scenario.retries)
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(startCpu)
  return {
    ...tally(finalStatuses),
    resent,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...memory.stop()
  }
}

/** Runs a scenario script in a process of its own, the scenario as JSON in `envName`; resolves its last stdout line. */
export function runInChild<R>(script: string, envName: string, scenario: object): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, [envName]: JSON.stringify(scenario) },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`scenario ${JSON.stringify(scenario)} exited with ${code}`))
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as R)
    })
  })
}

/** A scenario script's entry point: runs the scenario in `envName` and prints its result as one JSON line. */
export function scenarioMain<S>(envName: string, runScenario: (scenario: S) => Promise<unknown>): void {
  runScenario(JSON.parse(process.env[envName] ?? '{}') as S)
    .then((result) => {
      console.log(JSON.stringify(result))
      process.exit(0)
    })
    .catch((error: Error) => {
      console.error(error.stack ?? error.message)
      process.exit(1)
    })
}

if (require.main === module) scenarioMain('BENCH_SCENARIO', run)
