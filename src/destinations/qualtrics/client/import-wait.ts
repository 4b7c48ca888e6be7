import type { ClientState } from './client-state'
import { isRetryableStatus } from './errors'
import type { ImportStatus } from './import-calls'
import type { QualtricsClient } from './qualtrics-client'
import { withinDeadline } from './timing'

/** Where an import stands when the wait ends. */
export type ImportWait =
  | { kind: 'complete'; status: Extract<ImportStatus, { state: 'complete' }>; polls: number }
  | { kind: 'failed'; status: Extract<ImportStatus, { state: 'failed' }>; polls: number }
  /** The deadline passed first: the last percentage seen, and what went wrong with the last poll, if anything. */
  | { kind: 'timeout'; polls: number; waitedMs: number; percentComplete?: number; lastProblem?: string }
  /** A poll was refused for good (401, 403, 400…): these credentials cannot learn the import's outcome. */
  | { kind: 'pollRefused'; polls: number; error: unknown }

export interface ImportTarget {
  directoryId: string
  mailingListId: string
  importId: string
}

/** When a batch's imports must be done by: one deadline (60 s) for every import of the batch, not one each. */
export function importDeadline(state: ClientState): number {
  return state.clock.now() + state.importPolling.deadlineMs
}

/** Whether an import started now could still get a poll in before the deadline: if not, it is not worth sending. */
export function importTimeLeft(state: ClientState, deadline: number): boolean {
  return state.clock.now() + state.importPolling.firstPollMs < deadline
}

/**
 * The rule for a refused poll. 429 and 5xx (after the client's own back-off) may pass. So may a 404: Qualtrics
 * documents that an item just created can answer 404 for a while (read-after-write lag), and the import was
 * accepted. Anything else (401, 403, 400…) would answer the same to every later poll: final.
 */
function pollMayPass(status: number | undefined): boolean {
  return status !== undefined && (status === 404 || isRetryableStatus(status))
}

class DeadlinePassed extends Error {}

/**
 * Polls an import's status until it is complete or failed, or until the batch's `deadline` (importDeadline):
 * actions-core has no asynchronous actions, so the batch call waits. Pauses start at 0.5 s and double up to 8 s, so
 * a minute holds about a dozen polls. An unreadable answer, a 404, a 429 or a 5xx is not the end: the next poll may
 * do better. A poll refused otherwise ends the wait (pollMayPass), as does a poll still in flight at the deadline.
 */
export async function waitForImport(
  client: QualtricsClient,
  target: ImportTarget,
  deadline: number,
  startedAt = client.state.clock.now()
): Promise<ImportWait> {
  const { clock, importPolling } = client.state
  const { firstPollMs, maxPollMs } = importPolling
  let pause = firstPollMs
  let polls = 0
  let percentComplete: number | undefined
  let lastProblem: string | undefined
  const timedOut = (): ImportWait => ({
    kind: 'timeout',
    polls,
    waitedMs: clock.now() - startedAt,
    percentComplete,
    lastProblem
  })
  for (;;) {
    if (clock.now() + Math.min(pause, firstPollMs) >= deadline) return timedOut()
    await clock.sleep(Math.min(pause, Math.max(0, deadline - clock.now())))
    pause = Math.min(pause * 2, maxPollMs)
    if (clock.now() >= deadline) return timedOut()
    polls++
    let status: ImportStatus
    try {
      const poll = () => client.importStatus(target.directoryId, target.mailingListId, target.importId)
      status = await withinDeadline(poll, deadline - clock.now(), () => new DeadlinePassed(), clock)
    } catch (error) {
      if (error instanceof DeadlinePassed) return timedOut()
      if (!pollMayPass((error as { status?: number }).status)) return { kind: 'pollRefused', polls, error }
      lastProblem = (error as Error).message
      continue
    }
    if (status.state === 'complete') return { kind: 'complete', status, polls }
    if (status.state === 'failed') return { kind: 'failed', status, polls }
    if (status.state === 'unreadable') {
      lastProblem = `Qualtrics answered a status request without the documented status (${status.why})`
      continue
    }
    percentComplete = status.percentComplete
    lastProblem = undefined
  }
}
