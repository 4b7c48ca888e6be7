/**
 * The fault run's bookkeeping, apart from the run itself so it can be tested on made-up outcomes: what Qualtrics
 * (the sandbox) holds against what each event's outcome (outcomes.ts) says, and whether anything was lost or doubled.
 */
import type { StoredContact } from '../../src/sandbox'
import type { AudienceFaultReport } from './audience'
import type { OutcomeSummary } from './outcomes'

export interface ContactCheck {
  stored: number
  identities: number
  /** Contacts beyond one per identity. */
  duplicates: number
  /** Identities a delivered event named, with no contact. */
  missing: number
}

/** One contact per identity, the identity being what `identityOf` reads (lower-cased) from a stored contact. */
export function checkContacts(
  stored: StoredContact[],
  identities: Set<string>,
  identityOf: (contact: StoredContact) => string | undefined
): ContactCheck {
  const storedIdentities = new Set(stored.map((contact) => identityOf(contact)?.toLowerCase()))
  return {
    stored: stored.length,
    identities: identities.size,
    duplicates: stored.length - storedIdentities.size,
    missing: [...identities].filter((identity) => !storedIdentities.has(identity)).length
  }
}

export interface DeliveryCheck {
  delivered: number
  stored: number
  /** Reported delivered, but not stored. */
  missing: number
  /**
   * Extra copies explained by a lost response (the at-least-once window): the sandbox marked a copy's response lost
   * (a timeout fault, or the caller hung up), or the destination heard no answer to one of the event's attempts.
   */
  resentAfterLostResponse: number
  /** Stored more than once with no lost response to explain it. */
  unexplainedDuplicates: number
  /** Stored although the event ended with a final error (its last response was lost). */
  storedButReportedFailed: number
}

/**
 * Groups stored records by the event they came from and compares them with what was reported. `unanswered` names the
 * events with an attempt the destination heard no answer to: the caller could not know whether that one was stored.
 */
export function checkDeliveries<T extends { responseLost?: boolean }>(
  stored: T[],
  messageIdOf: (record: T) => string,
  events: { delivered: Set<string>; failed: Set<string>; unanswered: Set<string> }
): DeliveryCheck {
  const { delivered, failed, unanswered } = events
  const byMessage = new Map<string, T[]>()
  for (const record of stored) {
    const id = messageIdOf(record)
    byMessage.set(id, [...(byMessage.get(id) ?? []), record])
  }
  let resentAfterLostResponse = 0
  let unexplainedDuplicates = 0
  let storedButReportedFailed = 0
  for (const [id, copies] of byMessage) {
    const answered = unanswered.has(id)
      ? Math.min(1, copies.length)
      : copies.filter((copy) => !copy.responseLost).length
    if (answered > 1) unexplainedDuplicates += answered - 1
    if (copies.length > 1) resentAfterLostResponse += copies.length - Math.max(answered, 1)
    if (failed.has(id)) storedButReportedFailed += 1
  }
  return {
    delivered: delivered.size,
    stored: stored.length,
    missing: [...delivered].filter((id) => !byMessage.has(id)).length,
    resentAfterLostResponse,
    unexplainedDuplicates,
    storedButReportedFailed
  }
}

export interface FaultReport {
  sent: number
  byKind: Record<string, number>
  /** Events made bad on purpose (they must be refused, not lost). */
  badInput: number
  indexLagMs: number
  retryPolicy: string
  /** Attempt rounds played, and the sandbox-clock time the last one started at. */
  rounds: number
  lastRoundAtMs: number
  resent: number
  outcomes: OutcomeSummary
  /** Identify events' directory (deduplicates on email) and transactions' (no deduplication: the destination's lookup). */
  contacts: { identify: ContactCheck; transaction: ContactCheck }
  transactions: DeliveryCheck
  workflowRuns: DeliveryCheck
  faultsInjected: Record<string, number>
  requests: number
  /** Never delivered, refused without being bad input, or reported delivered but not stored: must be 0. */
  lost: number
  /** Contacts beyond one per identity, and copies of one event that were each answered: must be 0. */
  duplicates: number
  /** The Engage audience part (audience.ts), when the run had one. */
  audience?: AudienceFaultReport
}

/** lost and duplicates, from the parts of a report. */
export function lossAndDuplicates(
  outcomes: OutcomeSummary,
  contacts: FaultReport['contacts'],
  deliveries: DeliveryCheck[]
): { lost: number; duplicates: number } {
  const missing = contacts.identify.missing + contacts.transaction.missing
  return {
    lost:
      outcomes.neverDelivered +
      outcomes.unexpectedFinalErrors +
      missing +
      deliveries.reduce((sum, check) => sum + check.missing, 0),
    duplicates:
      contacts.identify.duplicates +
      contacts.transaction.duplicates +
      deliveries.reduce((sum, check) => sum + check.unexplainedDuplicates, 0)
  }
}

/** What makes a fault run fail; empty when it passes. */
export function faultRunProblems(report: Pick<FaultReport, 'lost' | 'duplicates' | 'outcomes' | 'audience'>): string[] {
  const problems: string[] = []
  if (report.lost > 0) problems.push(`${report.lost} event(s) lost`)
  if (report.duplicates > 0) problems.push(`${report.duplicates} duplicate(s) in Qualtrics`)
  if (report.outcomes.unaccounted > 0) problems.push(`${report.outcomes.unaccounted} event(s) with no outcome`)
  if (report.outcomes.badInputAccepted > 0) {
    problems.push(`${report.outcomes.badInputAccepted} bad-input event(s) accepted`)
  }
  return report.audience ? [...problems, ...audienceProblems(report.audience)] : problems
}

/** What makes the audience part fail; empty when the list is the audience and nothing was lost or doubled. */
export function audienceProblems(report: AudienceFaultReport): string[] {
  const { outcomes, list } = report
  const problems = report.createError ? [`the audience was never created: ${report.createError}`] : []
  const lost = outcomes.neverDelivered + outcomes.unexpectedFinalErrors + outcomes.unaccounted
  if (lost > 0) problems.push(`${lost} audience event(s) not delivered`)
  if (outcomes.badInputAccepted > 0) problems.push(`${outcomes.badInputAccepted} bad audience event(s) accepted`)
  if (list.missing + list.extra > 0) {
    problems.push(`mailing list ≠ audience (${list.missing} missing, ${list.extra} not in the audience)`)
  }
  if (list.listedTwice + list.duplicateContacts > 0) {
    problems.push(`${list.duplicateContacts} duplicate contact(s), ${list.listedTwice} person(s) listed twice`)
  }
  return problems
}

export const exitCodeFor = (report: Pick<FaultReport, 'lost' | 'duplicates' | 'outcomes' | 'audience'>): number =>
  faultRunProblems(report).length > 0 ? 1 : 0
