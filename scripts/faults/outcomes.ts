/**
 * What became of each event the fault run sent, and those outcomes sorted and counted. The delivery loop writes
 * outcomes, the audience part and the run's accounting read them: this file imports nothing of theirs.
 */

/** How an event ended after every attempt Segment would make. */
export interface EventOutcome {
  delivered: boolean
  /** Some attempt got no answer at all (timeout, connection lost): it may have been stored unbeknown to the caller. */
  unanswered?: boolean
  /** The last status the destination reported. */
  status: number
  retryable: boolean
  attempts: number
  reason?: string
}

export interface OutcomeSummary {
  delivered: number
  /** Bad-input events refused with a final (non-retryable) error, as they should be. */
  rejectedAsExpected: number
  /** Still failing retryably when the retry window closed: never delivered, so lost. */
  neverDelivered: number
  /** Final errors on events that were not bad input: lost as well. */
  unexpectedFinalErrors: number
  /** Bad-input events that were accepted. */
  badInputAccepted: number
  /** Events with no outcome at all. */
  unaccounted: number
  /** Events with an attempt the destination heard no answer to (a timeout or a lost connection). */
  unanswered: number
  /** Every undelivered event's reason, counted. */
  reasons: Record<string, number>
}

/** Sorts each event's outcome into delivered, refused as expected, or lost. */
export function summarizeOutcomes(
  messageIds: string[],
  outcomes: Map<string, EventOutcome>,
  expectedRejections: Set<string>
): OutcomeSummary {
  const summary: OutcomeSummary = {
    delivered: 0,
    rejectedAsExpected: 0,
    neverDelivered: 0,
    unexpectedFinalErrors: 0,
    badInputAccepted: 0,
    unaccounted: 0,
    unanswered: 0,
    reasons: {}
  }
  for (const id of messageIds) {
    const outcome = outcomes.get(id)
    const badInput = expectedRejections.has(id)
    if (outcome?.unanswered) summary.unanswered += 1
    if (!outcome) summary.unaccounted += 1
    else if (outcome.delivered) {
      summary.delivered += 1
      if (badInput) summary.badInputAccepted += 1
    } else {
      const reason = outcome.reason ?? `${outcome.status}`
      summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1
      if (outcome.retryable) summary.neverDelivered += 1
      else if (badInput) summary.rejectedAsExpected += 1
      else summary.unexpectedFinalErrors += 1
    }
  }
  return summary
}
