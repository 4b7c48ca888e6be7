/**
 * The bench's workloads, each against a sandbox started here in the profile asked for: the scenario table (each
 * action in single and batch mode, one process each), the steady state and the audience. `npm run bench` (bench.ts)
 * prints and writes them; `npm run bench:profiles` (profiles.ts) runs them in both sandbox profiles and compares.
 */
import { join } from 'node:path'
import { DEFAULT_BATCH_SIZE, WORKFLOW_BATCH_SIZE } from '../../src/destinations/qualtrics/batching'
import { startSandbox } from '../../src/sandbox'
import type { Profile, Sandbox } from '../../src/sandbox'
import { runInChild } from './run'
import type { Scenario, ScenarioResult } from './run'
import type { ScenarioRow } from './report'
import { benchAudience } from './audience'
import type { AudienceOutcome } from './audience'
import { runSteadyScenario } from './steady'
import type { SteadyOutcome } from './steady'
import type { Progress } from '../dev/progress'
import { workloadSeed } from '../workload/events'
import type { EventKind } from '../workload/events'
import { BENCH_RETRY_POLICY } from './run'
import { IMPORT_STEADY, IMPORT_VARIANTS, sendingOf } from './import'

export interface BenchSettings {
  latencyMs: number
  timeScale: number
  indexLagMs: number
  events: number
  users: number
  /** One workload only: identify, transaction, survey, steady or audience ('' for all). */
  only: string
  steadyBatches: number
  steadyUsers: number
  audienceMembers: number
  /** The sandbox profile (docs/sandbox.md, "Readings and profiles"). */
  profile: Profile
}

export const STEADY_BATCH_SIZE = 1000
export const STEADY_SEED = 7

type Variant = Pick<Scenario, 'kind' | 'mode' | 'batchSize' | 'contactLookup' | 'bulkImport'>
// The defaults first (batch size 1,000 for the contact actions, 100 for workflows; lookup by search), then the
// other settings a user can choose, so the table shows what each choice costs.
export const VARIANTS: Variant[] = [
  { kind: 'identify', mode: 'single', batchSize: 1 },
  { kind: 'identify', mode: 'batch', batchSize: DEFAULT_BATCH_SIZE },
  { kind: 'identify', mode: 'batch', batchSize: 100 },
  { kind: 'survey', mode: 'single', batchSize: 1 },
  { kind: 'survey', mode: 'batch', batchSize: WORKFLOW_BATCH_SIZE },
  { kind: 'transaction', mode: 'single', batchSize: 1, contactLookup: 'search' },
  { kind: 'transaction', mode: 'batch', batchSize: DEFAULT_BATCH_SIZE, contactLookup: 'search' },
  { kind: 'transaction', mode: 'batch', batchSize: DEFAULT_BATCH_SIZE, contactLookup: 'deduplication' },
  { kind: 'transaction', mode: 'batch', batchSize: 100, contactLookup: 'search' },
  { kind: 'transaction', mode: 'batch', batchSize: 100, contactLookup: 'deduplication' },
  ...IMPORT_VARIANTS
]
export const ACTION_NAMES: Record<EventKind, string> = {
  identify: 'upsertContact',
  survey: 'triggerXflow',
  transaction: 'upsertContactTransaction'
}

const runScenario = (scenario: Scenario) =>
  runInChild<ScenarioResult>(join(__dirname, 'run.ts'), 'BENCH_SCENARIO', scenario)

function checkStore(settings: BenchSettings, sandbox: Sandbox, kind: EventKind, result: ScenarioResult): string[] {
  const { users } = settings
  const state = sandbox.store.snapshot()
  const directory = state.directories[0]
  const emails = new Set(directory.contacts.map((c) => c.email?.toLowerCase()))
  const checks: string[] = []
  if (kind !== 'survey' && (directory.contacts.length !== users || emails.size !== users)) {
    checks.push(`contacts ${directory.contacts.length} (distinct emails ${emails.size}) ≠ ${users} users`)
  }
  if (kind === 'transaction') {
    const keys = new Set(directory.transactions.map((t) => t.key))
    if (directory.transactions.length !== result.delivered || keys.size !== directory.transactions.length) {
      checks.push(
        `transactions ${directory.transactions.length} (distinct ${keys.size}) ≠ ${result.delivered} delivered`
      )
    }
  }
  if (kind === 'survey' && state.workflowRuns.length !== result.delivered) {
    checks.push(`workflow runs ${state.workflowRuns.length} ≠ ${result.delivered} delivered`)
  }
  return checks
}

/** The scenario table's rows, each scenario on the one sandbox after a reset. */
export async function runScenarios(settings: BenchSettings, progress: Progress): Promise<ScenarioRow[]> {
  const { timeScale, latencyMs, indexLagMs, events, users, only, profile } = settings
  const chosen = VARIANTS.filter((v) => !only || v.kind === only)
  if (chosen.length === 0) return []
  const sandbox = await startSandbox({
    seed: workloadSeed(Math.floor(users / 2)),
    timeScale,
    faults: { latencyMs, indexLagMs },
    profile
  })
  const rows: ScenarioRow[] = []
  try {
    for (const [n, variant] of chosen.entries()) {
      progress.update(
        `${profile}: scenario ${n + 1}/${chosen.length}: ${ACTION_NAMES[variant.kind]} ${variant.mode}` +
          `${variant.mode === 'batch' ? ` ${variant.batchSize}` : ''}`
      )
      sandbox.reset()
      const scenario = {
        ...variant,
        sandboxUrl: sandbox.url,
        events,
        users,
        concurrency: 10,
        retries: BENCH_RETRY_POLICY
      }
      const result = await runScenario(scenario)
      const stats = sandbox.stats()
      rows.push({
        scenario,
        result,
        requests: stats.requests,
        rateLimited: stats.rateLimited,
        checks: checkStore(settings, sandbox, variant.kind, result)
      })
    }
  } finally {
    progress.done()
    await sandbox.close()
  }
  return rows
}

/** The steady state: search, deduplication and bulk import, each after a reset of one sandbox. */
export async function runSteady(settings: BenchSettings, progress: Progress): Promise<SteadyOutcome[]> {
  const { steadyUsers, steadyBatches, timeScale, latencyMs, indexLagMs, profile } = settings
  if (settings.only && settings.only !== 'steady') return []
  const existing = Math.floor(steadyUsers / 2)
  const sandbox = await startSandbox({
    seed: workloadSeed(existing),
    timeScale,
    faults: { latencyMs, indexLagMs },
    profile
  })
  const outcomes: SteadyOutcome[] = []
  try {
    for (const sending of [
      { contactLookup: 'search' as const },
      { contactLookup: 'deduplication' as const },
      ...IMPORT_STEADY
    ]) {
      progress.update(`${profile}: steady state, ${sendingOf(sending, 'search')}: 1 warm-up + ${steadyBatches} batches`)
      const scenario = {
        sandboxUrl: sandbox.url,
        users: steadyUsers,
        batchSize: STEADY_BATCH_SIZE,
        ...sending,
        retries: BENCH_RETRY_POLICY,
        batches: steadyBatches,
        seed: STEADY_SEED
      }
      outcomes.push(await runSteadyScenario(sandbox, scenario, existing))
    }
  } finally {
    progress.done()
    await sandbox.close()
  }
  return outcomes
}

export async function runAudience(settings: BenchSettings, progress: Progress): Promise<AudienceOutcome | undefined> {
  if (settings.only && settings.only !== 'audience') return undefined
  const { latencyMs, timeScale, indexLagMs, audienceMembers, profile } = settings
  return benchAudience({ latencyMs, timeScale, indexLagMs, members: audienceMembers, profile }, progress)
}
