/**
 * `npm run load`: drives `npm start` (the local server with its embedded sandbox, started here as a child process)
 * with concurrent requests on loopback, bounded by a request count and a time limit, and prints throughput,
 * latency, errors, and the server process's memory before and after.
 * Flags: --requests N (default 5000), --concurrency N (default 32), --seconds N (time limit, default 60).
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
const total = arg('requests', 5000)
const concurrency = arg('concurrency', 32)
const seconds = arg('seconds', 60)

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

async function main(): Promise<void> {
  const server = await startServer()
  await fetch(`${server.url}/manifest`)
  const before = rssMb(server.pid)

  const latencies: number[] = []
  const errors: Record<string, number> = {}
  const count = (key: string) => (errors[key] = (errors[key] ?? 0) + 1)
  let sent = 0
  let deliveries = 0
  const deadline = Date.now() + seconds * 1000
  let peak = before ?? 0
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid) ?? 0)), 100)
  const started = performance.now()
  const progress = createProgress()
  let answered = 0

  const worker = async () => {
    while (sent < total && Date.now() < deadline) {
      progress.update(
        `${answered}/${total} requests answered, ${Object.values(errors).reduce((a, b) => a + b, 0)} errors, ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s of at most ${seconds}`
      )
      const request = call(sent++)
      const t0 = performance.now()
      try {
        const response = await fetch(`${server.url}${request.path}`, {
          method: request.method,
          headers: { 'content-type': 'application/json' },
          body: request.body
        })
        const text = await response.text()
        answered += 1
        latencies.push(performance.now() - t0)
        if (response.status !== request.expect) {
          count(`${request.name}: HTTP ${response.status}`)
          continue
        }
        if (request.path === '/events' && response.status === 200) {
          for (const result of (JSON.parse(text) as { results: { deliveries: { status: number }[] }[] }).results) {
            for (const delivery of result.deliveries) {
              deliveries += 1
              if (delivery.status < 200 || delivery.status >= 300) count(`${request.name}: delivery ${delivery.status}`)
            }
          }
        }
      } catch (error) {
        count(`${request.name}: ${(error as Error).message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  progress.done()
  const elapsed = (performance.now() - started) / 1000
  clearInterval(sampler)
  const after = rssMb(server.pid)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const settled = rssMb(server.pid)
  server.stop()

  const sorted = [...latencies].sort((a, b) => a - b)
  const mb = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(0)} MB`)
  const errorTotal = Object.values(errors).reduce((a, b) => a + b, 0)
  console.log(`${sent} requests (${deliveries} event deliveries) in ${elapsed.toFixed(1)} s, ${concurrency} concurrent`)
  console.log(
    `throughput: ${(sent / elapsed).toFixed(0)} requests/s, ${(deliveries / elapsed).toFixed(0)} deliveries/s`
  )
  console.log(
    `latency: p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms`
  )
  console.log(
    `errors: ${errorTotal}${errorTotal ? ` (${JSON.stringify(errors)})` : ''}; malformed requests got their 400`
  )
  console.log(
    `server memory (RSS): before ${mb(before)}, peak ${mb(peak)}, after ${mb(after)}, 2 s later ${mb(settled)}`
  )
  if (errorTotal > 0) process.exit(1)
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
