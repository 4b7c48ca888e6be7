import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'

// `npm run sandbox` (src/sandbox/cli.ts) as a process of its own on a free port: what it prints must be enough to
// use the control routes, whose key is made at each start.
const ROOT = resolve(__dirname, '../..')

let child: ChildProcessByStdio<null, Readable, Readable> | undefined
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
})

/** Starts the CLI and resolves with what it printed once it has said how to use the control routes. */
async function startCli(extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, SANDBOX_PORT: '0' }
  const own = [
    'SANDBOX_SEED',
    'SANDBOX_FAULTS',
    'SANDBOX_TIME_SCALE',
    'SANDBOX_INDEX_LAG_MS',
    'SANDBOX_PROFILE',
    'SANDBOX_READINGS'
  ]
  for (const key of own) delete env[key]
  Object.assign(env, extra)
  const started = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/cli.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child = started
  let stdout = ''
  let stderr = ''
  started.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise<string>((resolvePrinted, reject) => {
    started.once('exit', (code) => reject(new Error(`npm run sandbox exited (${code}): ${stdout}${stderr}`)))
    started.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (/__sandbox\/reset/.test(stdout)) resolvePrinted(stdout)
    })
  })
}

describe('npm run sandbox', () => {
  it('prints the per-start key and how to send it, and that command resets the sandbox', async () => {
    const printed = await startCli()
    const url = /Qualtrics sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1]
    const command = /curl -s -X POST -H '(x-sandbox-key): ([\w-]+)' (\S+)/.exec(printed)
    expect(url).toBeDefined()
    expect(command).not.toBeNull()
    const [, header, key, target] = command!
    expect(target).toBe(`${url}/__sandbox/reset`)
    expect((await fetch(target, { method: 'POST' })).status).toBe(403)
    const reset = await fetch(target, { method: 'POST', headers: { [header]: key } })
    expect([reset.status, await reset.json()]).toEqual([200, { reset: true }])
  })

  it('serves the profile SANDBOX_PROFILE names, with the switches of SANDBOX_READINGS over it', async () => {
    const printed = await startCli({ SANDBOX_PROFILE: 'strict', SANDBOX_READINGS: '{"searchPaging": "nextPage"}' })
    expect(printed).toContain('profile: strict with {"searchPaging":"nextPage"}')
    const url = /Qualtrics sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1]
    const shown = await (await fetch(`${url}/__sandbox/readings`)).json()
    expect(shown).toMatchObject({
      profile: 'strict',
      readings: { searchPaging: 'nextPage', contactUpdate: 'replacesEmbeddedData' }
    })
  })
})
