/**
 * The steady-state scenario, parent side: runs steady-run.ts in a process of its own, reads the
 * sandbox's request counts after the warm-up batch and after each measured batch, and checks the directory at the end.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Endpoint, Sandbox, SandboxStats } from '../../src/sandbox'
import type { SteadyMessage, SteadyResult, SteadyScenario } from './steady-run'
import { DIRECTORY_ID, userEmail, zipfUsers } from '../workload/events'

export interface SteadyOutcome {
  scenario: SteadyScenario
  result: SteadyResult
  /** Qualtrics requests over the measured batches, and per measured batch. */
  requests: number
  requestsPerBatch: number[]
  rateLimited: number
  /** Requests over the measured batches by endpoint (all statuses). */
  byEndpoint: Partial<Record<Endpoint, number>>
  /** People seen for the first time in each measured batch: each needs a lookup, or a create. */
  newPeoplePerBatch: number[]
  checks: string[]
}

const endpointTotals = (stats: SandboxStats) =>
  Object.fromEntries(
    Object.entries(stats.byEndpoint).map(([endpoint, byStatus]) => [
      endpoint,
      Object.values(byStatus ?? {}).reduce((sum, n) => sum + n, 0)
    ])
  ) as Partial<Record<Endpoint, number>>

/** People in each batch that no earlier batch (warm-up included) had. */
export function newPeoplePerBatch(owners: number[], batchSize: number): number[] {
  const seen = new Set<number>()
  const counts: number[] = []
  for (let start = 0; start < owners.length; start += batchSize) {
    const before = seen.size
    for (const user of owners.slice(start, start + batchSize)) seen.add(user)
    counts.push(seen.size - before)
  }
  return counts
}

function spawnSteady(scenario: SteadyScenario, onBatchDone: (batch: number) => void): Promise<SteadyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'steady-run.ts')], {
      env: { ...process.env, BENCH_STEADY: JSON.stringify(scenario) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    let result: SteadyResult | undefined
    child.on('message', (message: SteadyMessage) => {
      if ('result' in message) result = message.result
      else {
        onBatchDone(message.batchDone)
        child.send('go')
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0 || !result) reject(new Error(`steady-state scenario exited with ${code}`))
      else resolve(result)
    })
  })
}

function checkDirectory(sandbox: Sandbox, owners: number[], existing: number, delivered: number): string[] {
  const directory = sandbox.store.snapshot().directories.find((d) => d.directoryId === DIRECTORY_ID)
  if (!directory) return [`directory ${DIRECTORY_ID} missing`]
  const people = new Set(owners)
  const expectedEmails = new Set([
    ...Array.from({ length: existing }, (_, user) => userEmail(user)),
    ...[...people].map(userEmail)
  ])
  const emails = new Set(directory.contacts.map((c) => c.email?.toLowerCase()))
  const checks: string[] = []
  if (directory.contacts.length !== expectedEmails.size || emails.size !== expectedEmails.size) {
    checks.push(`contacts ${directory.contacts.length} (distinct emails ${emails.size}) ≠ ${expectedEmails.size}`)
  }
  const keys = new Set(directory.transactions.map((t) => t.key))
  if (directory.transactions.length !== delivered || keys.size !== delivered) {
    checks.push(`transactions ${directory.transactions.length} (distinct ${keys.size}) ≠ ${delivered} delivered`)
  }
  return checks
}

/** Runs one steady-state scenario on a sandbox seeded with users 0 … existing-1 (reset first). */
export async function runSteadyScenario(
  sandbox: Sandbox,
  scenario: SteadyScenario,
  existing: number
): Promise<SteadyOutcome> {
  sandbox.reset()
  const marks: SandboxStats[] = []
  const result = await spawnSteady(scenario, () => marks.push(structuredClone(sandbox.stats())))
  const [afterWarmUp, ...afterBatches] = marks
  const last = afterBatches.at(-1) ?? afterWarmUp
  const owners = zipfUsers((scenario.batches + 1) * scenario.batchSize, scenario.users, scenario.seed)
  const before = endpointTotals(afterWarmUp)
  const byEndpoint = Object.fromEntries(
    Object.entries(endpointTotals(last))
      .map(([endpoint, n]) => [endpoint, n - (before[endpoint as Endpoint] ?? 0)])
      .filter(([, n]) => (n as number) > 0)
  ) as Partial<Record<Endpoint, number>>
  return {
    scenario,
    result,
    requests: last.requests - afterWarmUp.requests,
    requestsPerBatch: afterBatches.map((stats, i) => stats.requests - marks[i].requests),
    rateLimited: last.rateLimited - afterWarmUp.rateLimited,
    byEndpoint,
    newPeoplePerBatch: newPeoplePerBatch(owners, scenario.batchSize).slice(1),
    checks: checkDirectory(sandbox, owners, existing, result.delivered)
  }
}
