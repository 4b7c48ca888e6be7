/**
 * `npm run load`: drives `npm start` (the local server with its embedded sandbox, started here as a child process)
 * with concurrent requests on loopback, bounded by a request count and a time limit, and prints throughput,
 * latency, errors, and the server process's memory before and after.
 * Flags: --requests N (default 5000), --concurrency N (default 32), --seconds N (time limit, default 60).
 * Exit code: 0 when every request was sent and answered as expected; 1 when any came back wrong; 2 when the time
 * limit stopped the run before all requests were sent (a line says so: the figures then cover fewer requests).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProgress } from './progress'
import { makeEvent } from '../workload/events'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  const value = i < 0 ? fallback : Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive whole number`)
  return value
}

/** Resident memory of a process, from /proc (Linux); undefined elsewhere. */
function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}

interface Call {
  name: string
  method: 'GET' | 'POST'
  path: string
  body?: string
  /** The HTTP status this request should get. */
  expect: number
}

const postEvents = (name: string, body: unknown): Call => ({
  name,
  method: 'POST',
  path: '/events',
  body: JSON.stringify(body),
  expect: 200
})

/** The request mix: Segment events one at a time and in batches, the manifest, and malformed JSON. */
function call(n: number): Call {
  const user = n % 500
  const slot = n % 10
  if (slot < 3) return postEvents('identify', makeEvent('identify', user, n))
  if (slot < 6) return postEvents('transaction', makeEvent('transaction', user, n))
  if (slot === 6) {
    const kinds = ['identify', 'transaction', 'survey'] as const
    const batch = Array.from({ length: 20 }, (_, i) => makeEvent(kinds[i % 3], (user + i) % 500, n * 100 + i))
    return postEvents('batch of 20', { batch })
  }
  if (slot === 7) return postEvents('survey', makeEvent('survey', user, n))
  if (slot === 8) return { name: 'manifest', method: 'GET', path: '/manifest', expect: 200 }
  return { name: 'malformed JSON', method: 'POST', path: '/events', body: '{"type": "identify",', expect: 400 }
}

async function startServer(): Promise<{ url: string; pid: number; stop: () => void }> {
  // A queue folder of its own, so a running `npm start` (which holds .local/queue/) does not stop this one.
  const queueFolder = mkdtempSync(join(tmpdir(), 'load-queue-'))
  process.on('exit', () => rmSync(queueFolder, { recursive: true, force: true }))
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/server/main.ts')], {
    // Free ports; the sandbox's rate limits on a fast clock, so this measures the server rather than Qualtrics' limits.
    env: {
      ...process.env,
      PORT: '0',
      SANDBOX_PORT: '0',
      SANDBOX_TIME_SCALE: '1000',
      TRACKING_QUEUE_DIR: queueFolder
    },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (match) resolve({ url: match[1], pid: child.pid!, stop: () => child.kill('SIGTERM') })
    })
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)))
  })
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

/** What one request came to: its problems (none when it got the answer it should) and the deliveries it carried. */
export interface RequestOutcome {
  errors: string[]
  deliveries: number
}

export interface LoadOptions {
  /** Requests to send, and how many in flight at once. */
  total: number
  concurrency: number
  /** No request starts after this many seconds of `now`. */
  seconds: number
  send: (n: number) => Promise<RequestOutcome>
  /** Milliseconds, injected so tests move the clock instead of waiting. */
  now: () => number
  onProgress?: (line: string) => void
}

export interface LoadResult {
  asked: number
  concurrency: number
  seconds: number
  sent: number
  deliveries: number
  errors: Record<string, number>
  latenciesMs: number[]
  elapsedMs: number
  /** The time limit came before the last request was sent. */
  stoppedAtCap: boolean
}

/** Sends requests 0, 1, 2… with `concurrency` in flight until `total` are sent or the time limit has passed. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { total, concurrency, seconds, send, now } = options
  const started = now()
  const deadline = started + seconds * 1000
  const latenciesMs: number[] = []
  const errors: Record<string, number> = {}
  let sent = 0
  let deliveries = 0
  const worker = async () => {
    while (sent < total && now() < deadline) {
      const errorCount = Object.values(errors).reduce((a, b) => a + b, 0)
      const running = ((now() - started) / 1000).toFixed(0)
      options.onProgress?.(
        `${latenciesMs.length}/${total} requests answered, ${errorCount} errors, ${running} s of at most ${seconds}`
      )
      const n = sent++
      const t0 = now()
      const outcome = await send(n)
      latenciesMs.push(now() - t0)
      deliveries += outcome.deliveries
      for (const error of outcome.errors) errors[error] = (errors[error] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsedMs = now() - started
  return {
    asked: total,
    concurrency,
    seconds,
    sent,
    deliveries,
    errors,
    latenciesMs,
    elapsedMs,
    stoppedAtCap: sent < total
  }
}

/** The lines the run prints: figures, `serverLines` (the server's memory), and last, whether the cap stopped it. */
export function loadReport(result: LoadResult, serverLines: string[] = []): string[] {
  const { sent, deliveries, concurrency, errors } = result
  const elapsed = result.elapsedMs / 1000
  const sorted = [...result.latenciesMs].sort((a, b) => a - b)
  const ms = (p: number) => (sorted.length === 0 ? 'n/a' : `${percentile(sorted, p).toFixed(1)} ms`)
  const errorTotal = Object.values(errors).reduce((a, b) => a + b, 0)
  const lines = [
    `${sent} requests (${deliveries} event deliveries) in ${elapsed.toFixed(1)} s, ${concurrency} concurrent`,
    `throughput: ${(sent / elapsed).toFixed(0)} requests/s, ${(deliveries / elapsed).toFixed(0)} deliveries/s`,
    `latency: p50 ${ms(0.5)}, p95 ${ms(0.95)}, p99 ${ms(0.99)}`,
    `errors: ${errorTotal}${errorTotal ? ` (${JSON.stringify(errors)})` : ''}; malformed requests got their 400`,
    ...serverLines
  ]
  if (!result.stoppedAtCap) return lines
  return [
    ...lines,
    `STOPPED AT THE ${result.seconds} s CAP after ${sent} of ${result.asked} requests: the figures above cover those ` +
      `${sent}. Raise --seconds or lower --requests for a full run.`
  ]
}

/** 1 when any request came back wrong, else 2 when the time limit cut the run short, else 0. */
export function loadExitCode(result: LoadResult): number {
  if (Object.keys(result.errors).length > 0) return 1
  return result.stoppedAtCap ? 2 : 0
}

/** Sends one request of the mix and reads what came back. */
async function sendCall(url: string, n: number): Promise<RequestOutcome> {
  const request = call(n)
  try {
    const response = await fetch(`${url}${request.path}`, {
      method: request.method,
      headers: { 'content-type': 'application/json' },
      body: request.body
    })
    const text = await response.text()
    if (response.status !== request.expect)
      return { errors: [`${request.name}: HTTP ${response.status}`], deliveries: 0 }
    // Only an accepted POST /events carries deliveries (the malformed one's 400 is its expected answer).
    if (request.path !== '/events' || response.status !== 200) return { errors: [], deliveries: 0 }
    const outcome: RequestOutcome = { errors: [], deliveries: 0 }
    for (const result of (JSON.parse(text) as { results: { deliveries: { status: number }[] }[] }).results) {
      for (const delivery of result.deliveries) {
        outcome.deliveries += 1
        if (delivery.status < 200 || delivery.status >= 300)
          outcome.errors.push(`${request.name}: delivery ${delivery.status}`)
      }
    }
    return outcome
  } catch (error) {
    return { errors: [`${request.name}: ${(error as Error).message}`], deliveries: 0 }
  }
}

async function main(): Promise<void> {
  const total = arg('requests', 5000)
  const concurrency = arg('concurrency', 32)
  const seconds = arg('seconds', 60)
  const server = await startServer()
  await fetch(`${server.url}/manifest`)
  const before = rssMb(server.pid)
  let peak = before ?? 0
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid) ?? 0)), 100)
  const progress = createProgress()
  const result = await runLoad({
    total,
    concurrency,
    seconds,
    send: (n) => sendCall(server.url, n),
    now: () => performance.now(),
    onProgress: (line) => progress.update(line)
  })
  progress.done()
  clearInterval(sampler)
  const after = rssMb(server.pid)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const settled = rssMb(server.pid)
  server.stop()

  const mb = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(0)} MB`)
  const memory = `server memory (RSS): before ${mb(before)}, peak ${mb(peak)}, after ${mb(after)}, 2 s later ${mb(settled)}`
  for (const line of loadReport(result, [memory])) console.log(line)
  process.exit(loadExitCode(result))
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message)
    process.exit(1)
  })
}
