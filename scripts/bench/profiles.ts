/**
 * `npm run bench:profiles`: the bench's workloads (scenario table, steady state, audience) in the sandbox's default
 * profile and then its strict one (docs/sandbox.md, "Readings and profiles"), side by side in Qualtrics requests per
 * 1,000 events, with each run's checks. Takes the bench's flags (--only, --events, --latency, …); writes its table
 * to docs/benchmarks.md between the profiles markers (not with --no-write, nor with --only).
 */
import { describeFacts, BENCH_DOC, runFacts, writeBenchSection } from './doc'
import { benchSettings } from './settings'
import { consoleTable, markdownTable } from './table'
import { comparisonTable, figures } from './profile-table'
import type { Figure } from './profile-table'
import { runAudience, runScenarios, runSteady } from './workloads'
import type { BenchSettings } from './workloads'
import { createProgress } from '../dev/progress'
import type { Profile } from '../../src/sandbox'

const PROFILES_MARKERS = { start: '<!-- profiles:start -->', end: '<!-- profiles:end -->' }

async function runProfile(settings: BenchSettings, profile: Profile): Promise<Figure[]> {
  const progress = createProgress()
  const inProfile = { ...settings, profile }
  const rows = await runScenarios(inProfile, progress)
  const steady = await runSteady(inProfile, progress)
  const audience = await runAudience(inProfile, progress)
  return figures(rows, steady, audience)
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
