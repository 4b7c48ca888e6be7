/**
 * The audience scenario's process: creates the audience (a new mailing list) through the definition's
 * createAudience, backfills it in batches through syncAudience's batch path, then sends the mixed entries and exits,
 * all through one action instance as a long-lived Segment worker would. Reads the sandbox's request counters over
 * HTTP between phases. Started by audience.ts with BENCH_AUDIENCE (JSON); prints one JSON line.
 */
import { defaultValues, Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import qualtrics, { createQualtrics } from '../../src/destinations/qualtrics'
import type { SandboxStats } from '../../src/sandbox'
import {
  AUDIENCE_DIRECTORY_ID,
  AUDIENCE_NAME,
  audienceEvent,
  backfillChanges,
  mixedChanges
} from '../workload/audience'
import type { AudienceChange } from '../workload/audience'
import { deliverWithRetries, memorySampler, scenarioMain, tally } from './run'
import { SETTINGS } from '../workload/events'
import type { RetryPolicy } from '../../src/server/tracking'

export interface AudienceScenario {
  sandboxUrl: string
  members: number
  changes: number
  batchSize: number
  retries: RetryPolicy
  seed: number
}

export interface PhaseResult {
  events: number
  delivered: number
  failed: Record<string, number>
  resent: number
  requests: number
  rateLimited: number
  byEndpoint: Record<string, number>
  wallMs: number
  cpuMs: number
  peakRssMb: number
  peakHeapMb: number
}

export interface AudienceResult {
  externalId: string
  backfill: PhaseResult
  mixed: PhaseResult
}

/** The mapping a Segment user gets for the preset, with Engage's sync mode as Segment passes it. */
export const AUDIENCE_MAPPING = {
  ...defaultValues(qualtrics.actions.syncAudience.fields),
  __segment_internal_sync_mode: 'mirror'
} as JSONObject

async function sandboxStats(url: string): Promise<SandboxStats> {
  return (await (await fetch(`${url}/__sandbox/stats`)).json()) as SandboxStats
}

const endpointTotals = (stats: SandboxStats) =>
  Object.fromEntries(
    Object.entries(stats.byEndpoint).map(([endpoint, byStatus]) => [
      endpoint,
      Object.values(byStatus ?? {}).reduce((sum, n) => sum + n, 0)
    ])
  )

function difference(before: SandboxStats, after: SandboxStats) {
  const was = endpointTotals(before)
  const byEndpoint = Object.fromEntries(
    Object.entries(endpointTotals(after))
      .map(([endpoint, n]) => [endpoint, n - (was[endpoint] ?? 0)])
      .filter(([, n]) => (n as number) > 0)
  )
  return {
    requests: after.requests - before.requests,
    rateLimited: after.rateLimited - before.rateLimited,
    byEndpoint
  }
}

async function runPhase(
  scenario: AudienceScenario,
  changes: AudienceChange[],
  firstMessage: number,
  externalId: string,
  sendBatch: (batch: JSONObject[]) => Promise<number[]>
): Promise<PhaseResult> {
  const events = changes.map((change, i) => audienceEvent(change, externalId, firstMessage + i))
  const before = await sandboxStats(scenario.sandboxUrl)
  const memory = memorySampler()
  const startCpu = process.cpuUsage()
  const started = performance.now()
  const statuses: number[] = []
  let resent = 0
  for (let i = 0; i < events.length; i += scenario.batchSize) {
    const batch = events.slice(i, i + scenario.batchSize) as unknown as JSONObject[]
    const delivery = await deliverWithRetries(batch, sendBatch, scenario.retries)
    statuses.push(...delivery.finalStatuses)
    resent += delivery.resent
  }
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(startCpu)
  const counts = difference(before, await sandboxStats(scenario.sandboxUrl))
  return {
    events: events.length,
    ...tally(statuses),
    resent,
    ...counts,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...memory.stop()
  }
}

async function run(scenario: AudienceScenario): Promise<AudienceResult> {
  const destination = new Destination(createQualtrics({ apiOrigin: scenario.sandboxUrl }))
  const { externalId } = await destination.createAudience({
    settings: SETTINGS,
    audienceSettings: { directoryId: AUDIENCE_DIRECTORY_ID },
    audienceName: AUDIENCE_NAME
  })
  const action = destination.actions.syncAudience
  const sendBatch = async (batch: JSONObject[]) => {
    const nodes = await action.executeBatch({
      data: batch,
      mapping: AUDIENCE_MAPPING,
      settings: SETTINGS,
      auth: undefined
    })
    return (nodes as unknown as { status: number }[]).map((node) => node.status)
  }
  const backfill = await runPhase(scenario, backfillChanges(scenario.members), 0, externalId, sendBatch)
  const changes = mixedChanges(scenario.changes, scenario.members, scenario.seed)
  const mixed = await runPhase(scenario, changes, scenario.members, externalId, sendBatch)
  return { externalId, backfill, mixed }
}

if (require.main === module) scenarioMain('BENCH_AUDIENCE', run)
