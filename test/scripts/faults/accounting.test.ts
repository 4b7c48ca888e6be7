import { exitCodeFor, faultRunProblems, lossAndDuplicates } from '../../../scripts/faults/accounting'
import type { ContactCheck } from '../../../scripts/faults/accounting'
import { summarizeOutcomes } from '../../../scripts/faults/outcomes'
import type { EventOutcome } from '../../../scripts/faults/outcomes'
import { runFaults } from '../../../scripts/faults/run'

jest.setTimeout(60_000)

const delivered: EventOutcome = { delivered: true, status: 200, retryable: false, attempts: 1 }
const stillFailing: EventOutcome = {
  delivered: false,
  status: 503,
  retryable: true,
  attempts: 33,
  reason: 'still 503 when the retry window closed after 33 attempts'
}
const refused: EventOutcome = { delivered: false, status: 400, retryable: false, attempts: 1, reason: 'PAYLOAD' }
const noContacts: ContactCheck = { stored: 0, identities: 0, duplicates: 0, missing: 0 }
const noStorage = { identify: noContacts, transaction: noContacts }

describe('fault-run accounting', () => {
  it('counts an event never delivered as lost, and the run fails', () => {
    const outcomes = new Map([
      ['a', delivered],
      ['b', stillFailing]
    ])
    const summary = summarizeOutcomes(['a', 'b'], outcomes, new Set())
    expect(summary).toMatchObject({ delivered: 1, neverDelivered: 1, unaccounted: 0 })
    expect(summary.reasons).toEqual({ 'still 503 when the retry window closed after 33 attempts': 1 })
    const { lost, duplicates } = lossAndDuplicates(summary, noStorage, [])
    expect(lost).toBe(1)
    expect(duplicates).toBe(0)
    expect(faultRunProblems({ lost, duplicates, outcomes: summary })).toEqual(['1 event(s) lost'])
    expect(exitCodeFor({ lost, duplicates, outcomes: summary })).toBe(1)
  })

  it('counts a final error as lost unless the event was bad input on purpose', () => {
    const outcomes = new Map([
      ['good', refused],
      ['bad', refused]
    ])
    const summary = summarizeOutcomes(['good', 'bad'], outcomes, new Set(['bad']))
    expect(summary).toMatchObject({ rejectedAsExpected: 1, unexpectedFinalErrors: 1 })
    expect(lossAndDuplicates(summary, noStorage, []).lost).toBe(1)
  })

  it('fails a run that accepted bad input, left an event without outcome, or stored a duplicate', () => {
    const summary = summarizeOutcomes(['bad', 'missing'], new Map([['bad', delivered]]), new Set(['bad']))
    expect(summary).toMatchObject({ badInputAccepted: 1, unaccounted: 1 })
    const contacts = { identify: noContacts, transaction: { stored: 2, identities: 1, duplicates: 1, missing: 0 } }
    const { lost, duplicates } = lossAndDuplicates(summary, contacts, [])
    expect(duplicates).toBe(1)
    expect(faultRunProblems({ lost, duplicates, outcomes: summary })).toEqual([
      '1 duplicate(s) in Qualtrics',
      '1 event(s) with no outcome',
      '1 bad-input event(s) accepted'
    ])
  })

  it('passes a clean run', () => {
    const summary = summarizeOutcomes(['a'], new Map([['a', delivered]]), new Set())
    expect(exitCodeFor({ ...lossAndDuplicates(summary, noStorage, []), outcomes: summary })).toBe(0)
  })
})

describe('a fault run whose events never get through', () => {
  it('retries until the window closes, then reports them lost', async () => {
    // Every request is answered 503; a 10-second window allows attempts at 0, 1, 3 and 7 s.
    const report = await runFaults({
      events: 6,
      users: 4,
      rates: { status503: 1 },
      retryPolicy: { firstDelayMs: 1000, maxDelayMs: 600_000, windowMs: 10_000 }
    })
    expect(report.rounds).toBe(4)
    expect(report.outcomes.neverDelivered).toBe(6)
    expect(report.lost).toBe(6)
    expect(Object.keys(report.outcomes.reasons)).toEqual(['still 503 when the retry window closed after 4 attempts'])
    // The audience part cannot even create its list: said so, and its members are missing from the list.
    expect(report.audience?.createError).toMatch(/503/)
    expect(report.audience?.list.missing).toBe(report.audience?.list.expected)
    expect(exitCodeFor(report)).toBe(1)
  })
})
