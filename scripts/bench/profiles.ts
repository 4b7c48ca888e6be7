/**
 * `npm run bench:profiles`: the bench's workloads (scenario table, steady state, audience) in the sandbox's default
 * profile and then its strict one (docs/sandbox.md, "Readings and profiles"), side by side in Qualtrics requests per
 * 1,000 events, with each run's checks. Takes the bench's flags (--only, --events, --latency, …); writes its table
 * to docs/benchmarks.md between the profiles markers (not with --no-write, nor with --only).
 */
import { describeFacts, BENCH_DOC, runFacts, writeBenchSection } from './doc'
import type { AudienceOutcome } from './audience'
import { sendingOf } from './import'
import type { ScenarioRow } from './report'
import type { SteadyOutcome } from './steady'
import { benchSettings } from './settings'
import { consoleTable, markdownTable } from './table'
import type { Table } from './table'
import { ACTION_NAMES, runAudience, runScenarios, runSteady } from './workloads'
import type { BenchSettings } from './workloads'
import { createProgress } from '../dev/progress'
import type { Profile } from '../../src/sandbox'

export const PROFILES_MARKERS = { start: '<!-- profiles:start -->', end: '<!-- profiles:end -->' }

/** One workload's figure in one profile: requests per 1,000 events, and whether everything was delivered and checked. */
interface Figure {
  workload: string
  perThousand: number
  outcome: string
}

const outcomeOf = (failed: Record<string, number>, checks: string[]) => {
  const failures = Object.entries(failed).map(([status, n]) => `${n}×${status} failed`)
  return [...failures, ...checks].join('; ') || 'ok'
}

function figures(rows: ScenarioRow[], steady: SteadyOutcome[], audience?: AudienceOutcome): Figure[] {
  const scenarioFigures = rows.map(({ scenario, result, requests, checks }) => ({
    workload:
      `${ACTION_NAMES[scenario.kind]} ${scenario.mode}` +
      `${scenario.mode === 'batch' ? ` ${scenario.batchSize}` : ''}${scenario.kind === 'transaction' ? `, ${sendingOf(scenario, '')}` : ''}`,
    perThousand: (requests * 1000) / scenario.events,
    outcome: outcomeOf(result.failed, checks)
  }))
  const steadyFigures = steady.map(({ scenario, result, requests, checks }) => ({
    workload: `steady state, ${sendingOf(scenario, 'search')}`,
    perThousand: (requests * 1000) / (scenario.batches * scenario.batchSize),
    outcome: outcomeOf(result.failed, checks)
  }))
  const audienceFigures = audience
    ? [
        {
          workload: `audience backfill (${audience.scenario.members} members)`,
          perThousand: (audience.result.backfill.requests * 1000) / audience.scenario.members,
          outcome: outcomeOf(audience.result.backfill.failed, audience.checks)
        },
        {
          workload: `audience mixed (${audience.scenario.changes} changes)`,
          perThousand: (audience.result.mixed.requests * 1000) / audience.scenario.changes,
          outcome: outcomeOf(audience.result.mixed.failed, audience.checks)
        }
      ]
    : []
  return [...scenarioFigures, ...steadyFigures, ...audienceFigures]
}

async function runProfile(settings: BenchSettings, profile: Profile): Promise<Figure[]> {
  const progress = createProgress()
  const inProfile = { ...settings, profile }
  const rows = await runScenarios(inProfile, progress)
  const steady = await runSteady(inProfile, progress)
  const audience = await runAudience(inProfile, progress)
  return figures(rows, steady, audience)
}

export function comparisonTable(defaults: Figure[], stricts: Figure[]): Table {
  return {
    headers: ['workload', 'default req/1k ev', 'strict req/1k ev', 'change', 'default', 'strict'],
    numeric: [false, true, true, true, false, false],
    rows: defaults.map((figure, i) => {
      const strict = stricts[i]
      const change = figure.perThousand === 0 ? 0 : (strict.perThousand / figure.perThousand - 1) * 100
      return [
        figure.workload,
        figure.perThousand.toFixed(0),
        strict.perThousand.toFixed(0),
        `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`,
        figure.outcome,
        strict.outcome
      ]
    })
  }
}

async function main(): Promise<void> {
  const settings = benchSettings()
  const write = !process.argv.includes('--no-write') && !settings.only
  const facts = runFacts()
  console.log(`Run: ${describeFacts(facts)}`)
  const defaults = await runProfile(settings, 'default')
  const stricts = await runProfile(settings, 'strict')
  const table = comparisonTable(defaults, stricts)
  console.log(`\n${consoleTable(table)}`)
  if (write) {
    const section = [
      '## Strict profile next to default (written by `npm run bench:profiles`)',
      `Measured at ${describeFacts(facts)}, with \`npm run bench\`'s settings (${settings.latencyMs} ms latency, ` +
        `clock ${settings.timeScale}×, index lag ${settings.indexLagMs} ms). Requests per 1,000 events (the ` +
        'audience rows: per 1,000 members or changes); "default"/"strict" say whether every event was delivered and ' +
        'the sandbox checked out.',
      markdownTable(table)
    ].join('\n\n')
    await writeBenchSection(BENCH_DOC, section, PROFILES_MARKERS)
    console.log(`Written to ${BENCH_DOC}`)
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
