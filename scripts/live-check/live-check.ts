/**
 * `npm run live-check`: which reading a real Qualtrics account uses, for each place the public evidence allows more
 * than one (issue 23 §4, docs/live-check.md). Reads by default; with --write it creates, changes and deletes one
 * clearly marked test contact (extRef `segment-live-check-<random>`) and nothing else. Prints a table and writes a
 * JSON report (the system's temp folder unless --report says where; `--report -` prints it).
 */
import { writeFile } from 'node:fs/promises'
import { parseLiveCheckOptions, USAGE, UsageError } from './options'
import { runLiveCheck, succeeded } from './run'
import type { LiveCheckDeps } from './run'
import { renderSummary, renderTable } from './table'

/** Runs the check as the command line asks; resolves to the exit code (0 done, 1 failed or left behind, 2 usage). */
export async function runLiveCheckCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
  deps: LiveCheckDeps = {}
): Promise<number> {
  let options
  try {
    options = parseLiveCheckOptions(args, env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    if (error.message) out(`live-check: ${error.message}`)
    out(USAGE)
    return args.includes('--help') ? 0 : 2
  }
  const report = await runLiveCheck(options, deps)
  const { before, after } = renderSummary(report)
  out(before)
  out(renderTable(report))
  after.forEach((line) => out(line))
  const json = `${JSON.stringify(report, null, 2)}\n`
  if (options.reportPath === '-') out(json)
  else {
    await writeFile(options.reportPath, json, { mode: 0o600 })
    out(`Report: ${options.reportPath}`)
  }
  return succeeded(report) ? 0 : 1
}

if (require.main === module) {
  runLiveCheckCommand(process.argv.slice(2), process.env, (text) => console.log(text))
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(`live-check: ${error.message}`)
      process.exit(1)
    })
}
