/** The fault run's report as text, and what in it repeats from run to run. */
import type { ContactCheck, DeliveryCheck, FaultReport } from './accounting'
import { audienceReportLines } from './audience'

/** For the docs: what the seeds pin down, and what timing still moves. */
export const REPEATABILITY = [
  'Repeatable with the same seeds: the events, their order and users, which events are bad input (workload seed);',
  'the sequence of fault dice rolls (fault seed); the retry schedule (no jitter).',
  'Varies between runs: which request draws which roll (two batches in flight and the destination’s concurrent',
  'requests interleave differently), hence the counts of each fault, re-sends, rounds and at-least-once copies;',
  'whether a request times out before its answer; 429s (buckets refill with real time on the 60× clock); and',
  'whether a search lands inside a new contact’s index lag (within a round the sandbox clock follows real time ×60,',
  'so 1 s of lag covers about 17 ms of the destination’s work; between rounds it jumps by the back-off).'
].join('\n  ')

const deliveryLine = (name: string, c: DeliveryCheck) =>
  `${name}: ${c.delivered} reported delivered, ${c.stored} stored; missing ${c.missing}; ` +
  `stored twice ${c.resentAfterLostResponse + c.unexplainedDuplicates} (${c.resentAfterLostResponse} after a lost ` +
  `response, recognisable by messageId; ${c.unexplainedDuplicates} otherwise); ` +
  `stored although reported failed ${c.storedButReportedFailed}`

const contactLine = (name: string, c: ContactCheck) =>
  `contacts, ${name}: ${c.stored} stored for ${c.identities} identities; duplicates ${c.duplicates}; missing ${c.missing}`

export function formatReport(report: FaultReport): string {
  const kinds = Object.entries(report.byKind)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ')
  const o = report.outcomes
  const reasons = Object.entries(o.reasons)
    .map(([reason, n]) => `    ${n} × ${reason}`)
    .join('\n')
  const copies = report.transactions.resentAfterLostResponse + report.workflowRuns.resentAfterLostResponse
  return [
    `sent: ${report.sent} events (${kinds}; ${report.badInput} of the identify events are bad input on purpose)`,
    `sandbox: index lag ${report.indexLagMs} ms on its clock; Segment's retries emulated: ${report.retryPolicy}`,
    `attempt rounds: ${report.rounds}, the last at +${report.lastRoundAtMs / 1000} s of simulated time; ` +
      `re-sent ${report.resent} times`,
    `Qualtrics requests: ${report.requests}; injected: ${Object.entries(report.faultsInjected)
      .map(([fault, n]) => `${n} ${fault}`)
      .join(', ')}`,
    `delivered: ${o.delivered}; refused as expected (bad input): ${o.rejectedAsExpected}; never delivered ` +
      `(retry window closed): ${o.neverDelivered}; final errors on good events: ${o.unexpectedFinalErrors}; ` +
      `bad input accepted: ${o.badInputAccepted}; unaccounted: ${o.unaccounted}`,
    `events with an attempt that got no answer (timeout or lost connection; may be stored twice): ${o.unanswered}`,
    ...(reasons ? ['  not delivered, by reason:', reasons] : []),
    contactLine('identify directory (deduplicates on email)', report.contacts.identify),
    contactLine('transaction directory (no deduplication; by extRef)', report.contacts.transaction),
    deliveryLine('transactions', report.transactions),
    deliveryLine('workflow runs', report.workflowRuns),
    `lost: ${report.lost}; duplicates of contacts or of answered deliveries: ${report.duplicates}`,
    `stored twice because a response was lost and the event retried (the at-least-once window): ${copies} ` +
      `(${report.transactions.resentAfterLostResponse} transactions, ${report.workflowRuns.resentAfterLostResponse} workflow runs)`,
    ...(report.audience ? audienceReportLines(report.audience) : [])
  ].join('\n')
}
