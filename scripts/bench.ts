/**
 * `npm run bench`: each action in single and batch mode against the sandbox, with added latency (default 50 ms a
 * request) and Qualtrics' rate limits on a scaled clock. Workload: 1,000 events over 200 users, half of them already
 * in the directory. Prints, per scenario: Qualtrics requests per 1,000 events, events per second, CPU ms per 1,000
 * events and peak memory, and checks the sandbox afterwards (contacts = users, one transaction per event).
 *
 * The sandbox's search index lags 1 s (its clock) behind creates, as Qualtrics' can.
 *
 * Flags: --latency MS, --time-scale N, --index-lag-ms MS (0 turns the lag off), --events N, --users N,
 * --only identify|transaction|survey
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { DEFAULT_BATCH_SIZE, WORKFLOW_BATCH_SIZE } from '../src/destinations/qualtrics/batching'
import { startSandbox } from '../src/sandbox'
import type { Scenario, ScenarioResult } from './bench-run'
import { createProgress } from './progress'
import { workloadSeed, type EventKind } from './workload'

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

type Variant = Pick<Scenario, 'kind' | 'mode' | 'batchSize' | 'contactLookup'>
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
  { kind: 'transaction', mode: 'batch', batchSize: 100, contactLookup: 'deduplication' }
]
const ACTION_NAMES: Record<EventKind, string> = {
  identify: 'upsertContact',
  survey: 'triggerXflow',
  transaction: 'upsertContactTransaction'
}

function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-run.ts')], {
      env: { ...process.env, BENCH_SCENARIO: JSON.stringify(scenario) },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`scenario ${JSON.stringify(scenario)} exited with ${code}`))
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ScenarioResult)
    })
  })
}

const pad = (value: unknown, width: number) => String(value).padStart(width)

async function main(): Promise<void> {
  const seed = workloadSeed(Math.floor(users / 2))
  const sandbox = await startSandbox({ seed, timeScale, faults: { latencyMs, indexLagMs } })
  console.log(
    `Sandbox ${sandbox.url}: ${latencyMs} ms added to every request, rate limits on a clock ${timeScale}× faster ` +
      `(3,000/min per brand and 500/min per contact/search/transactions endpoint allow ${3000 * timeScale} and ${500 * timeScale} per real minute); ` +
      `a new contact stays out of search and GET for ${indexLagMs} ms of that clock (${(indexLagMs / timeScale).toFixed(0)} real ms).`
  )
  console.log(
    `Workload: ${events} events over ${users} users, ${Math.floor(users / 2)} of them already in the directory; ` +
      `single mode keeps 10 events in flight, batch mode sends batches one after another; retryable failures are ` +
      `re-sent up to 5 attempts in all, 1 s apart, as Segment would.\n`
  )
  const header = [
    'action'.padEnd(24),
    'mode'.padEnd(6),
    pad('batch', 5),
    'lookup'.padEnd(13),
    pad('req/1k ev', 9),
    pad('429s', 5),
    pad('events/s', 8),
    pad('CPU ms/1k', 9),
    pad('peak RSS MB', 11),
    pad('peak heap MB', 12),
    pad('delivered', 9),
    'check'
  ].join('  ')
  console.log(header)
  console.log('-'.repeat(header.length + 20))

  let problems = 0
  const chosen = variants.filter((v) => !only || v.kind === only)
  const progress = createProgress()
  for (const [n, variant] of chosen.entries()) {
    progress.update(
      `scenario ${n + 1}/${chosen.length}: ${ACTION_NAMES[variant.kind]} ${variant.mode}` +
        `${variant.mode === 'batch' ? ` ${variant.batchSize}` : ''}, ${problems} check(s) failed so far`
    )
    sandbox.reset()
    const result = await runScenario({
      ...variant,
      sandboxUrl: sandbox.url,
      events,
      users,
      concurrency: 10,
      attempts: 5,
      retryDelayMs: 1000
    })
    const stats = sandbox.stats()
    const state = sandbox.store.snapshot()
    const directory = state.directories[0]
    const emails = new Set(directory.contacts.map((c) => c.email?.toLowerCase()))
    const checks: string[] = []
    if (variant.kind !== 'survey' && (directory.contacts.length !== users || emails.size !== users)) {
      checks.push(`contacts ${directory.contacts.length} (distinct emails ${emails.size}) ≠ ${users} users`)
    }
    if (variant.kind === 'transaction') {
      const keys = new Set(directory.transactions.map((t) => t.key))
      if (directory.transactions.length !== result.delivered || keys.size !== directory.transactions.length) {
        checks.push(
          `transactions ${directory.transactions.length} (distinct ${keys.size}) ≠ ${result.delivered} delivered`
        )
      }
    }
    if (variant.kind === 'survey' && state.workflowRuns.length !== result.delivered) {
      checks.push(`workflow runs ${state.workflowRuns.length} ≠ ${result.delivered} delivered`)
    }
    problems += checks.length
    const failed = Object.entries(result.failed).map(([status, count]) => `${count}×${status}`)
    progress.done()
    console.log(
      [
        ACTION_NAMES[variant.kind].padEnd(24),
        variant.mode.padEnd(6),
        pad(variant.mode === 'batch' ? variant.batchSize : '—', 5),
        (variant.contactLookup ?? '—').padEnd(13),
        pad(((stats.requests * 1000) / events).toFixed(0), 9),
        pad(stats.rateLimited, 5),
        pad(((events * 1000) / result.wallMs).toFixed(1), 8),
        pad(((result.cpuMs * 1000) / events).toFixed(0), 9),
        pad(result.peakRssMb.toFixed(0), 11),
        pad(result.peakHeapMb.toFixed(0), 12),
        pad(result.delivered, 9),
        [...(failed.length ? [`failed ${failed.join(' ')}`] : []), ...(checks.length ? checks : ['ok'])].join('; ')
      ].join('  ')
    )
  }
  await sandbox.close()
  if (problems > 0) {
    console.error(`\n${problems} check(s) failed`)
    process.exit(1)
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
