import { exitCodeFor } from '../../../scripts/faults/accounting'
import type { FaultReport } from '../../../scripts/faults/accounting'
import { DEFAULT_INDEX_LAG_MS, DEFAULT_RATES, runFaults } from '../../../scripts/faults/run'
import { formatReport } from '../../../scripts/faults/report'

// The CI-sized fault run: 2,000 events through the local server and the sandbox over HTTP, with faults injected,
// the search index lagging 1 s behind creates, and Segment's retries played on the sandbox clock.
jest.setTimeout(180_000)

let report: FaultReport

beforeAll(async () => {
  report = await runFaults({ events: 2000, users: 400 })
  console.log(formatReport(report))
})

describe('fault run (2,000 events, 5% 5xx, 3% 429, 1% timeouts, 1% drops, 1 s index lag, retries for 4 h)', () => {
  it('injected every kind of fault it was asked for, with the index lag on', () => {
    expect(DEFAULT_RATES).toEqual({ status500: 0.025, status503: 0.025, status429: 0.03, timeout: 0.01, drop: 0.01 })
    for (const fault of ['status429', 'status500', 'status503', 'drop', 'timeout']) {
      expect(report.faultsInjected[fault]).toBeGreaterThan(0)
    }
    expect(report.resent).toBeGreaterThan(0)
    expect(report.indexLagMs).toBe(DEFAULT_INDEX_LAG_MS)
    expect(DEFAULT_INDEX_LAG_MS).toBe(1000)
  })

  it('accounts for every event: delivered, or bad input refused as it should be; none lost', () => {
    const o = report.outcomes
    expect(report.sent).toBe(2000)
    expect(o.unaccounted).toBe(0)
    expect(o.neverDelivered).toBe(0)
    expect(o.unexpectedFinalErrors).toBe(0)
    expect(report.badInput).toBe(2)
    expect(o.rejectedAsExpected).toBe(report.badInput)
    expect(o.badInputAccepted).toBe(0)
    expect(o.delivered + o.rejectedAsExpected).toBe(report.sent)
  })

  it('stores one contact per identity: none missing, none duplicated', () => {
    for (const check of [report.contacts.identify, report.contacts.transaction]) {
      expect(check.missing).toBe(0)
      expect(check.duplicates).toBe(0)
      expect(check.stored).toBe(check.identities)
    }
    // The transaction directory does not deduplicate, so this count rests on the destination's lookup alone; new
    // people were created there during the run.
    expect(report.contacts.transaction.identities).toBeGreaterThan(200)
  })

  it('stores every transaction and workflow run reported delivered, and never one twice that was answered', () => {
    for (const check of [report.transactions, report.workflowRuns]) {
      expect(check.missing).toBe(0)
      expect(check.unexplainedDuplicates).toBe(0)
      // Anything stored beyond the deliveries is an extra copy from a lost response, never unexplained.
      expect(check.stored).toBe(check.delivered + check.resentAfterLostResponse + check.storedButReportedFailed)
    }
    expect(report.lost).toBe(0)
    expect(report.duplicates).toBe(0)
    expect(exitCodeFor(report)).toBe(0)
  })

  it('ends the Engage audience with exactly the members Engage last said, one contact each', () => {
    const audience = report.audience!
    expect(audience.members).toBe(200)
    expect(audience.outcomes).toMatchObject({ neverDelivered: 0, unexpectedFinalErrors: 0, unaccounted: 0 })
    expect(audience.outcomes.rejectedAsExpected).toBe(audience.badInput)
    expect(audience.outcomes.delivered + audience.badInput).toBe(audience.sent)
    expect(audience.list).toMatchObject({ missing: 0, extra: 0, listedTwice: 0, duplicateContacts: 0 })
    expect(audience.list.listed).toBe(audience.list.expected)
    // Exits happened: fewer members than people ever added.
    expect(audience.list.expected).toBeLessThan(audience.list.contacts)
  })
})
