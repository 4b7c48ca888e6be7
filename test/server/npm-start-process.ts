import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'

const ROOT = resolve(__dirname, '../..')

export interface NpmStartProcess {
  url: string
  port: number
  child: ChildProcessByStdio<null, Readable, Readable>
  /** Everything the process wrote to stderr: an unhandled rejection or exception ends up here, then kills it. */
  stderr(): string
  stop(): Promise<void>
}

/**
 * What `npm start` runs (src/server/main.ts through tsx), as a process of its own, in sandbox mode (no QUALTRICS_*
 * variables, so nothing leaves the machine) on free ports. A request that crashed the server ends this process,
 * which an in-process server in jest would not show.
 */
export async function startNpmStartProcess(extraEnv: Record<string, string> = {}): Promise<NpmStartProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of Object.keys(env)) {
    if (/^(QUALTRICS_|SANDBOX_|SEGMENT_|TRACKING_|RESPONSES_)/.test(key) || key === 'PORT') delete env[key]
  }
  // Queue folders of its own, never npm start's .local/ (which the test run forbids: QUEUE_FORBIDDEN_FOLDER is
  // inherited), nor another jest worker's.
  const queueFolder = mkdtempSync(join(tmpdir(), 'npm-start-queue-'))
  const queues = {
    TRACKING_QUEUE_DIR: join(queueFolder, 'tracking'),
    RESPONSES_QUEUE_DIR: join(queueFolder, 'responses')
  }
  Object.assign(env, { PORT: '0', SANDBOX_PORT: '0', ...queues }, extraEnv)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  let startup = ''
  let listening = false
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening: ${stderr}`)))
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (listening) return // the request log that follows is read and dropped
      startup += chunk
      const found = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(startup)
      if (!found) return
      listening = true
      resolveUrl(found[1])
    })
  })
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      rmSync(queueFolder, { recursive: true, force: true })
    }
  }
}
