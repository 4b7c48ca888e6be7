/**
 * The steady-state scenario's process: a warm-up batch, then the measured batches, all through one action instance
 * so the destination's contact memory carries from batch to batch, as in a long-lived Segment worker. Started by
 * steady.ts with BENCH_STEADY (JSON) in the environment and an IPC channel: after each batch it tells
 * the parent (which reads the sandbox's request counts then) and waits for the go-ahead; the result goes last.
 */
import type { JSONObject } from '@segment/actions-core'
import { actionFor, deliverWithRetries, memorySampler, tally } from './run'
import type { Scenario, ScenarioResult } from './run'
import { zipfBatches } from '../workload/events'

export interface SteadyScenario extends Pick<
  Scenario,
  'sandboxUrl' | 'users' | 'batchSize' | 'contactLookup' | 'bulkImport' | 'retries'
> {
  /** Batches measured after the one warm-up batch. */
  batches: number
  seed: number
}

/** A scenario's figures; wall and CPU time and peak memory cover the measured batches only. */
export type SteadyResult = ScenarioResult

export type SteadyMessage = { batchDone: number } | { result: SteadyResult }

function tellParent(message: SteadyMessage): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve())
    process.send?.(message)
  })
}

async function runSteady(scenario: SteadyScenario): Promise<SteadyResult> {
  const { sendBatch } = actionFor({ ...scenario, kind: 'transaction' })
  const [warmUp, ...measured] = zipfBatches(
    'transaction',
    scenario.batches + 1,
    scenario.batchSize,
    scenario.users,
    scenario.seed
  ) as unknown as JSONObject[][]
  const warm = await deliverWithRetries(warmUp, sendBatch, scenario.retries)
  await tellParent({ batchDone: 0 })

  const statuses = [...warm.finalStatuses]
  let resent = warm.resent
  let wallMs = 0
  const memory = memorySampler()
  const startCpu = process.cpuUsage()
  for (const [i, batch] of measured.entries()) {
    const started = performance.now()
    const delivery = await deliverWithRetries(batch, sendBatch, scenario.retries)
    wallMs += performance.now() - started
    statuses.push(...delivery.finalStatuses)
    resent += delivery.resent
    await tellParent({ batchDone: i + 1 })
  }
  const cpu = process.cpuUsage(startCpu)
  return { ...tally(statuses), resent, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ...memory.stop() }
}

if (require.main === module) {
  runSteady(JSON.parse(process.env.BENCH_STEADY ?? '{}') as SteadyScenario)
    .then(async (result) => {
      process.send?.({ result } satisfies SteadyMessage, () => process.exit(0))
    })
    .catch((error: Error) => {
      console.error(error.stack ?? error.message)
      process.exit(1)
    })
}
