/**
 * `npm run faults`: 10,000 mixed events through the local server while the sandbox injects 5% 5xx, 3% 429,
 * 1% timeouts and 1% dropped connections; Segment's retries emulated (5 attempts). Prints the counts and exits
 * non-zero if anything was lost, duplicated without explanation, or left unaccounted for.
 * Flags: --events N (default 10000), --users N (default 2000).
 */
import { formatReport, runFaults } from './fault-run'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  const value = i < 0 ? fallback : Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive whole number`)
  return value
}

async function main(): Promise<void> {
  const started = Date.now()
  const report = await runFaults({
    events: arg('events', 10_000),
    users: arg('users', 2_000),
    log: (line) => console.log(line)
  })
  console.log(formatReport(report))
  console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (report.lost > 0 || report.duplicates > 0 || report.unaccounted > 0) process.exit(1)
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
