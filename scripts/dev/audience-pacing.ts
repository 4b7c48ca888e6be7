/**
 * Sends an audience backfill to `POST /syncAudience` at a pace the sandbox takes. The sandbox, like Qualtrics, adds
 * at most 500 members to mailing lists a minute (a bucket that refills over the minute); a member beyond that is
 * answered 429, `retryable: true`: Segment would send it again later. Here that is done in the open: up to
 * MEMBERS_PER_ROUND members a round, a sandbox minute between rounds, and the members answered 429 (or another
 * retryable status) go again in the next round. A member refused for good is reported, not sent again.
 */

/** Under the sandbox's 500 list additions a minute, leaving room for the audience events of the walk-through. */
export const MEMBERS_PER_ROUND = 450
/** Rounds before giving up on members still answered retryable (a sandbox with faults switched on, say). */
export const MAX_ROUNDS = 10

/** One member's outcome in the answer of `POST /syncAudience` (its `results`, in the order sent). */
export interface MemberResult {
  status: number
  retryable: boolean
  errormessage?: string
}

export interface PacingOptions {
  /** Posts one round's members; answers one result per member, in order. */
  post: (members: unknown[]) => Promise<MemberResult[]>
  /** Waits until the sandbox's minute has refilled its bucket. */
  waitAMinute: () => Promise<void>
  log?: (line: string) => void
  perRound?: number
  maxRounds?: number
}

export interface PacingReport {
  added: number
  /** Members refused for good, each with its status and message. */
  refused: Array<{ member: unknown; status: number; message?: string }>
  /** Members still answered retryable after the last round. */
  unsent: unknown[]
  rounds: number
  /** How many answers were 429 along the way (each sent again in a later round). */
  answered429: number
}

const isOk = (status: number) => status >= 200 && status < 300

export async function sendPaced(members: unknown[], options: PacingOptions): Promise<PacingReport> {
  const perRound = options.perRound ?? MEMBERS_PER_ROUND
  const maxRounds = options.maxRounds ?? MAX_ROUNDS
  const log = options.log ?? (() => undefined)
  const report: PacingReport = { added: 0, refused: [], unsent: [], rounds: 0, answered429: 0 }
  let waiting = [...members]
  while (waiting.length > 0 && report.rounds < maxRounds) {
    if (report.rounds > 0) {
      log(`  waiting a sandbox minute for its limit (500 list additions a minute) to refill…`)
      await options.waitAMinute()
    }
    report.rounds++
    const round = waiting.slice(0, perRound)
    const results = await options.post(round)
    const again: unknown[] = []
    round.forEach((member, i) => {
      const result = results[i] ?? { status: 500, retryable: true, errormessage: 'no result for this member' }
      if (isOk(result.status)) report.added++
      else if (result.retryable) again.push(member)
      else report.refused.push({ member, status: result.status, message: result.errormessage })
      if (result.status === 429) report.answered429++
    })
    const limited = results.filter((r) => r.status === 429).length
    log(
      `round ${report.rounds}: ${round.length} sent, ${round.length - again.length} settled` +
        (limited > 0 ? `, ${limited} answered 429 (over the limit: sent again next round)` : '')
    )
    waiting = [...again, ...waiting.slice(perRound)]
  }
  report.unsent = waiting
  return report
}

/** `POST {server}/syncAudience` with the members as the action's batch; its per-member results. */
export function postToServer(server: string): PacingOptions['post'] {
  return async (members) => {
    const response = await fetch(`${server}/syncAudience`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: members })
    })
    const body = (await response.json()) as { results?: MemberResult[]; error?: string }
    if (!response.ok || !Array.isArray(body.results)) {
      throw new Error(`POST ${server}/syncAudience answered ${response.status}: ${body.error ?? JSON.stringify(body)}`)
    }
    return body.results
  }
}

/** A minute of the sandbox's clock in real time (SANDBOX_TIME_SCALE shortens it), read through the server. */
export function waitASandboxMinute(server: string): PacingOptions['waitAMinute'] {
  return async () => {
    const response = await fetch(`${server}/console/api/sandbox/clock`)
    const clock = response.ok ? ((await response.json()) as { timeScale?: number }) : {}
    const timeScale = typeof clock.timeScale === 'number' && clock.timeScale > 0 ? clock.timeScale : 1
    await new Promise((resolve) => setTimeout(resolve, 60_000 / timeScale))
  }
}

/** The closing lines: what was added, what was refused for good and what is left. */
export function pacingSummary(report: PacingReport): string[] {
  return [
    `${report.added} members added in ${report.rounds} round(s)` +
      (report.answered429 > 0 ? ` (${report.answered429} answers were 429 and were sent again)` : ''),
    ...report.refused.map((r) => `  refused (${r.status}): ${r.message ?? 'no message'}`),
    ...(report.unsent.length > 0
      ? [`${report.unsent.length} members still answered retryable after ${report.rounds} rounds: not added`]
      : [])
  ]
}
