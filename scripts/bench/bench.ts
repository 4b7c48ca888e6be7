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
 * --profile default|strict (the sandbox's readings, docs/sandbox.md; or SANDBOX_PROFILE), --no-write
 *
 * `npm run bench:profiles` (profiles.ts) runs the same workloads in both profiles and compares their request counts.
 */
import { BENCH_DOC, describeFacts, runFacts, writeBenchSection } from './doc'
import type { RunFacts } from './doc'
import { scenarioTable, steadyDetails, steadyTable } from './report'
import type { ScenarioRow } from './report'
import { audienceMarkdown } from './audience'
import type { AudienceOutcome } from './audience'
import type { SteadyOutcome } from './steady'
import { consoleTable, markdownTable } from './table'
import { createProgress } from '../dev/progress'
import { attemptTimes } from '../../src/server/tracking'
import { BENCH_RETRY_POLICY } from './run'
import { importText } from './import'
import { runAudience, runScenarios, runSteady, STEADY_BATCH_SIZE, STEADY_SEED } from './workloads'
import type { BenchSettings } from './workloads'
import { benchSettings } from './settings'

function settingsText({ latencyMs, timeScale, indexLagMs, profile }: BenchSettings): string {
  return (
    `Sandbox (profile ${profile}): ${latencyMs} ms added to every request, rate limits on a clock ${timeScale}× faster ` +
    `(3,000/min per brand and 500/min per contact/search/transactions endpoint allow ${3000 * timeScale} and ` +
    `${500 * timeScale} per real minute); a new contact stays out of search and GET for ${indexLagMs} ms of that ` +
    `clock (${(indexLagMs / timeScale).toFixed(0)} real ms).`
  )
}

function scenariosText({ events, users }: BenchSettings): string {
  return (
    `Scenarios, one process each: ${events} events over ${users} users, ${Math.floor(users / 2)} of them already in ` +
    `the directory, in a shuffled order; single mode keeps 10 events in flight, batch mode sends batches one after ` +
    `another; retryable failures are re-sent up to ${attemptTimes(BENCH_RETRY_POLICY).length} attempts in all, ` +
    `${BENCH_RETRY_POLICY.firstDelayMs / 1000} s apart, as Segment would.`
  )
}

function steadyText({ steadyUsers, steadyBatches }: BenchSettings): string {
  return (
    `Steady state, one process: Transaction Created in batches of ${STEADY_BATCH_SIZE} over ${steadyUsers} people ` +
    `(${steadyUsers / 2} already in the directory, which deduplicates on email), drawn by Zipf's law with exponent 1 ` +
    `and seed ${STEADY_SEED} (over 2,000 people the top fifth bring about 80% of the events, the familiar 80/20 of ` +
    `repeat customers, while a long tail keeps bringing people not seen before); one warm-up batch, not counted, ` +
    `then ${steadyBatches} measured batches. The destination's contact memory carries from batch to batch, as in ` +
    `a long-lived Segment worker. Figures are over the measured batches; "delivered" counts the warm-up too.`
  )
}

function markdownSection(
  s: BenchSettings,
  facts: RunFacts,
  rows: ScenarioRow[],
  steady: SteadyOutcome[],
  audience?: AudienceOutcome
) {
  return [
    '## Latest `npm run bench` (written by the script)',
    `Measured at ${describeFacts(facts)}. Request counts repeat exactly from run to run (429s aside); events/s and ` +
      'CPU ms depend on the machine and on what else runs on it, so compare rows within one run.',
    settingsText(s),
    scenariosText(s),
    importText(s.timeScale),
    markdownTable(scenarioTable(rows)),
    steadyText(s),
    markdownTable(steadyTable(steady)),
    steadyDetails(steady)
      .map((line) => `- ${line}`)
      .join('\n'),
    ...audienceMarkdown(audience)
  ].join('\n\n')
}

async function main(): Promise<void> {
  const settings = benchSettings()
  // The file holds the default profile's figures; a strict run is compared by `npm run bench:profiles`.
  const write = !process.argv.includes('--no-write') && !settings.only && settings.profile === 'default'
  const facts = runFacts()
  console.log(`Run: ${describeFacts(facts)}\n`)
  console.log(settingsText(settings))
  const progress = createProgress()
  const rows = await runScenarios(settings, progress)
  if (rows.length > 0) {
    console.log(
      `\n${scenariosText(settings)}\n${importText(settings.timeScale)}\n\n${consoleTable(scenarioTable(rows))}`
    )
  }
  const steady = await runSteady(settings, progress)
  if (steady.length > 0) {
    console.log(
      `\n${steadyText(settings)}\n\n${consoleTable(steadyTable(steady))}\n${steadyDetails(steady).join('\n')}`
    )
  }
  const audience = await runAudience(settings, progress)
  console.log(`\nRun: ${describeFacts(facts)}`)
  if (write) {
    await writeBenchSection(BENCH_DOC, markdownSection(settings, facts, rows, steady, audience))
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
