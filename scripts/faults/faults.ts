/**
 * `npm run faults`: 10,000 mixed events through the local server while the sandbox injects 5% 5xx, 3% 429,
 * 1% timeouts and 1% dropped connections and lags its search index by 1 s; Segment's retries emulated on the
 * sandbox clock (back-off from 1 s up to 10 min, for 4 hours). Then an Engage audience (audience.ts):
 * created, backfilled with 1,000 members and changed 500 times under the same faults; its mailing list must end with
 * exactly the members Engage last said. Prints the counts and exits non-zero if anything was lost, duplicated, left
 * unaccounted for, or the list differs from the audience.
 * Flags: --events N (default 10000), --users N (default 2000), --index-lag-ms N (default 1000; 0 turns it off).
 */
import { exitCodeFor, faultRunProblems } from './accounting'
import { DEFAULT_INDEX_LAG_MS, runFaults } from './run'
import { formatReport, REPEATABILITY } from './report'
import { createProgress } from '../dev/progress'

const arg = (name: string, fallback: number, allowZero = false) => {
  const i = process.argv.indexOf(`--${name}`)
  const value = i < 0 ? fallback : Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`--${name} needs a ${allowZero ? 'whole number of 0 or more' : 'positive whole number'}`)
  }
  return value
}

async function main(): Promise<void> {
  const started = Date.now()
  const progress = createProgress()
  const report = await runFaults({
    events: arg('events', 10_000),
    users: arg('users', 2_000),
    indexLagMs: arg('index-lag-ms', DEFAULT_INDEX_LAG_MS, true),
    log: (line) => {
      progress.done()
      console.log(line)
    },
    progress: (line) => progress.update(line)
  })
  progress.done()
  console.log(formatReport(report))
  console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  console.log(`\nWhat repeats:\n  ${REPEATABILITY}`)
  const problems = faultRunProblems(report)
  if (problems.length > 0) console.error(`\nFAILED: ${problems.join('; ')}`)
  process.exit(exitCodeFor(report))
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
