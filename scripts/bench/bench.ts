/**
 * `npm run bench`: each action in single and batch mode against the sandbox, with added latency (default 50 ms a
 * request) and Qualtrics' rate limits on a scaled clock. Workload: 1,000 events over 200 users, half of them already
 * in the directory. Prints, per scenario: Qualtrics requests per 1,000 events, events per second, CPU ms per 1,000
 * events and peak memory, and checks the sandbox afterwards (contacts = users, one transaction per event).
 *
 * The sandbox's search index lags 1 s (its clock) behind creates, as Qualtrics' can.
 *
 * Then the steady state (steady.ts): Transaction Created in batches of 1,000 over 2,000 people drawn by Zipf's law
 * (scripts/workload/events.ts says why), one warm-up batch and 10 measured ones in one process, so the
 * destination's contact memory carries over as in a long-lived Segment worker.
 *
 * Every figure is printed with the commit, date and machine, and written to docs/benchmarks.md between the bench
 * markers (not with --no-write, nor with --only).
 *
 * Then the audience scenario (audience.ts): a 10,000-member backfill and 1,000 mixed entries and exits.
 *
 * Flags: --latency MS, --time-scale N, --index-lag-ms MS (0 turns the lag off), --events N, --users N,
 * --steady-batches N, --steady-users N, --audience-members N, --only identify|transaction|survey|steady|audience,
 * --no-write
 */
import { join } from 'node:path'
import { DEFAULT_BATCH_SIZE, WORKFLOW_BATCH_SIZE } from '../../src/destinations/qualtrics/batching'
import { startSandbox } from '../../src/sandbox'
import type { Sandbox } from '../../src/sandbox'
import { attemptTimes } from '../../src/server/tracking'
import { BENCH_RETRY_POLICY, runInChild } from './run'
import type { Scenario, ScenarioResult } from './run'
import { BENCH_DOC, describeFacts, runFacts, writeBenchSection } from './doc'
import type { RunFacts } from './doc'
import { scenarioTable, steadyDetails, steadyTable } from './report'
import type { ScenarioRow } from './report'
import { audienceMarkdown, benchAudience } from './audience'
import type { AudienceOutcome } from './audience'
import { runSteadyScenario } from './steady'
import type { SteadyOutcome } from './steady'
import { consoleTable, markdownTable } from './table'
import { createProgress } from '../dev/progress'
import { workloadSeed } from '../workload/events'
import type { EventKind } from '../workload/events'
import { IMPORT_STEADY, IMPORT_VARIANTS, importText, sendingOf } from './import'

function flag(name: string, fallback: number): number
function flag(name: string, fallback: string): string
function flag(name: string, fallback: number | string): number | string {
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

const latencyMs = flag('latency', 50)
const timeScale = flag('time-scale', 10)
const indexLagMs = flag('index-lag-ms', 1000)
const events = flag('events', 1000)
const users = flag('users', 200)
const only = flag('only', '')
const steadyBatches = flag('steady-batches', 10)
const steadyUsers = flag('steady-users', 2000)
const audienceMembers = flag('audience-members', 10_000)
const write = !process.argv.includes('--no-write') && !only
const STEADY_BATCH_SIZE = 1000
const STEADY_SEED = 7

type Variant = Pick<Scenario, 'kind' | 'mode' | 'batchSize' | 'contactLookup' | 'bulkImport'>
// The defaults first (batch size 1,000 for the contact actions, 100 for workflows; lookup by search), then the
// other settings a user can choose, so the table shows what each choice costs.
const variants: Variant[] = [
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
const ACTION_NAMES: Record<EventKind, string> = {
  identify: 'upsertContact',
  survey: 'triggerXflow',
  transaction: 'upsertContactTransaction'
}

const runScenario = (scenario: Scenario) =>
  runInChild<ScenarioResult>(join(__dirname, 'run.ts'), 'BENCH_SCENARIO', scenario)

function settingsText(): string {
  return (
    `Sandbox: ${latencyMs} ms added to every request, rate limits on a clock ${timeScale}× faster ` +
    `(3,000/min per brand and 500/min per contact/search/transactions endpoint allow ${3000 * timeScale} and ` +
    `${500 * timeScale} per real minute); a new contact stays out of search and GET for ${indexLagMs} ms of that ` +
    `clock (${(indexLagMs / timeScale).toFixed(0)} real ms).`
  )
}

function scenariosText(): string {
  return (
    `Scenarios, one process each: ${events} events over ${users} users, ${Math.floor(users / 2)} of them already in ` +
    `the directory, in a shuffled order; single mode keeps 10 events in flight, batch mode sends batches one after ` +
    `another; retryable failures are re-sent up to ${attemptTimes(BENCH_RETRY_POLICY).length} attempts in all, ` +
    `${BENCH_RETRY_POLICY.firstDelayMs / 1000} s apart, as Segment would.`
  )
}

function steadyText(): string {
  return (
    `Steady state, one process: Transaction Created in batches of ${STEADY_BATCH_SIZE} over ${steadyUsers} people ` +
    `(${steadyUsers / 2} already in the directory, which deduplicates on email), drawn by Zipf's law with exponent 1 ` +
    `and seed ${STEADY_SEED} (over 2,000 people the top fifth bring about 80% of the events, the familiar 80/20 of ` +
    `repeat customers, while a long tail keeps bringing people not seen before); one warm-up batch, not counted, ` +
    `then ${steadyBatches} measured batches. The destination's contact memory carries from batch to batch, as in ` +
    `a long-lived Segment worker. Figures are over the measured batches; "delivered" counts the warm-up too.`
  )
}

async function runScenarios(sandbox: Sandbox, progress: ReturnType<typeof createProgress>): Promise<ScenarioRow[]> {
  const rows: ScenarioRow[] = []
  const chosen = variants.filter((v) => !only || v.kind === only)
  for (const [n, variant] of chosen.entries()) {
    progress.update(
      `scenario ${n + 1}/${chosen.length}: ${ACTION_NAMES[variant.kind]} ${variant.mode}` +
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
      checks: checkStore(sandbox, variant.kind, result)
    })
  }
  progress.done()
  return rows
}

function checkStore(sandbox: Sandbox, kind: EventKind, result: ScenarioResult): string[] {
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

async function runSteady(progress: ReturnType<typeof createProgress>): Promise<SteadyOutcome[]> {
  const existing = Math.floor(steadyUsers / 2)
  const sandbox = await startSandbox({ seed: workloadSeed(existing), timeScale, faults: { latencyMs, indexLagMs } })
  const outcomes: SteadyOutcome[] = []
  for (const sending of [
    { contactLookup: 'search' as const },
    { contactLookup: 'deduplication' as const },
    ...IMPORT_STEADY
  ]) {
    progress.update(`steady state, ${sendingOf(sending, 'search')}: 1 warm-up + ${steadyBatches} batches`)
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
  progress.done()
  await sandbox.close()
  return outcomes
}

function markdownSection(facts: RunFacts, rows: ScenarioRow[], steady: SteadyOutcome[], audience?: AudienceOutcome) {
  return [
    '## Latest `npm run bench` (written by the script)',
    `Measured at ${describeFacts(facts)}. Request counts repeat exactly from run to run (429s aside); events/s and ` +
      'CPU ms depend on the machine and on what else runs on it, so compare rows within one run.',
    settingsText(),
    scenariosText(),
    importText(timeScale),
    markdownTable(scenarioTable(rows)),
    steadyText(),
    markdownTable(steadyTable(steady)),
    steadyDetails(steady)
      .map((line) => `- ${line}`)
      .join('\n'),
    ...audienceMarkdown(audience)
  ].join('\n\n')
}

async function main(): Promise<void> {
  const facts = runFacts()
  console.log(`Run: ${describeFacts(facts)}\n`)
  console.log(settingsText())
  const progress = createProgress()
  const scenarioSandbox = await startSandbox({
    seed: workloadSeed(Math.floor(users / 2)),
    timeScale,
    faults: { latencyMs, indexLagMs }
  })
  const rows = await runScenarios(scenarioSandbox, progress)
  await scenarioSandbox.close()
  if (rows.length > 0) {
    console.log(`\n${scenariosText()}\n${importText(timeScale)}\n\n${consoleTable(scenarioTable(rows))}`)
  }
  const steady = !only || only === 'steady' ? await runSteady(progress) : []
  if (steady.length > 0) {
    console.log(`\n${steadyText()}\n\n${consoleTable(steadyTable(steady))}\n${steadyDetails(steady).join('\n')}`)
  }
  const audienceOptions = { latencyMs, timeScale, indexLagMs, members: audienceMembers }
  const audience = !only || only === 'audience' ? await benchAudience(audienceOptions, progress) : undefined
  console.log(`\nRun: ${describeFacts(facts)}`)
  if (write) {
    await writeBenchSection(BENCH_DOC, markdownSection(facts, rows, steady, audience))
    console.log(`Written to ${BENCH_DOC}`)
  }
  const problems = [...rows, ...steady, ...(audience ? [audience] : [])].reduce(
    (sum, row) => sum + row.checks.length,
    0
  )
  if (problems > 0) {
    console.error(`\n${problems} check(s) failed`)
    process.exit(1)
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
