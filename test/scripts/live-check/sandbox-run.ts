/** The live check run against a sandbox started in this process, on a clock only the check's pauses move. */
import { DEFAULT_SEED, SandboxClock, startSandbox } from '../../../src/sandbox'
import type { Profile, Sandbox, SandboxSeed } from '../../../src/sandbox'
import { runLiveCheckCommand } from '../../../scripts/live-check/live-check'
import type { LiveCheckReport } from '../../../scripts/live-check/run'

export const DIRECTORY = 'POOL_sandbox0000001'
export const MAILING_LIST = 'CG_sandbox000001'
export const API_TOKEN = 'sandbox-token'
export const OAUTH_ENV = { QUALTRICS_CLIENT_ID: 'sandbox-client', QUALTRICS_CLIENT_SECRET: 'sandbox-secret' }

export interface StartedSandbox {
  sandbox: Sandbox
  clock: SandboxClock
}

/** A sandbox in `profile` whose time passes only when the live check pauses. */
export async function sandboxIn(profile: Profile, seed: SandboxSeed = DEFAULT_SEED): Promise<StartedSandbox> {
  const clock = new SandboxClock(1, () => 0)
  const sandbox = await startSandbox({ profile, seed, clock, rateLimits: false })
  return { sandbox, clock }
}

export interface CommandRun {
  code: number
  output: string
  report: LiveCheckReport
}

/** `npm run live-check -- …args --report -` against the sandbox; the report is the JSON printed last. */
export async function liveCheck(
  { sandbox, clock }: StartedSandbox,
  args: string[],
  env: NodeJS.ProcessEnv = { QUALTRICS_API_TOKEN: API_TOKEN }
): Promise<CommandRun> {
  const lines: string[] = []
  const code = await runLiveCheckCommand(
    ['--base-url', sandbox.url, '--directory', DIRECTORY, ...args, '--report', '-'],
    env,
    (text) => lines.push(text),
    { sleep: async (ms) => clock.advance(ms), random: () => 'abc123def456' }
  )
  const json = lines.at(-1) ?? '{}'
  return { code, output: lines.join('\n'), report: JSON.parse(json) as LiveCheckReport }
}

/** Each row's reading by key. */
export const readings = (report: LiveCheckReport) =>
  Object.fromEntries(report.rows.map((row) => [row.key, row.reading])) as Record<string, string>

/** The contacts in the sandbox directory that carry the check's marker. */
export function markedContacts(sandbox: Sandbox) {
  const directory = sandbox.store.snapshot().directories.find((d) => d.directoryId === DIRECTORY)
  return (directory?.contacts ?? []).filter((contact) =>
    [contact.extRef, contact.email].some((value) => value?.startsWith('segment-live-check-'))
  )
}
