/**
 * A fault run: mixed identify / Transaction Created / Survey Completed events, in batches, through the local server
 * (POST /events) to the sandbox while it injects 5xx, 429s, timeouts and dropped connections. Segment's retries are
 * emulated: events reported retryable are sent again, up to `attempts` in all. Then every event's fate is checked
 * against what the sandbox stored. Used by `npm run faults` (10,000 events) and by a test (2,000 events).
 */
import { startLocalRuntime } from '../src/server/runtime'
import type { FaultRates, StoredContact, StoredTransaction, WorkflowRun } from '../src/sandbox'
import { MESSAGE_ID_DATA_KEY } from '../src/destinations/qualtrics/upsertContactTransaction/transaction'
import { PLAIN_DIRECTORY_ID, userEmail, userId, workload, workloadSeed, type WorkloadEvent } from './workload'

export interface FaultRunOptions {
  events: number
  users: number
  batchSize?: number
  /** Batches in flight at once. */
  parallelBatches?: number
  attempts?: number
  rates?: FaultRates
  seed?: number
  log?: (line: string) => void
}

/** 5% 5xx, 3% 429, 1% timeouts, 1% dropped connections on every endpoint. */
export const DEFAULT_RATES: FaultRates = {
  status500: 0.025,
  status503: 0.025,
  status429: 0.03,
  timeout: 0.01,
  drop: 0.01
}

export interface FaultReport {
  sent: number
  byKind: Record<string, number>
  attempts: number
  resent: number
  delivered: number
  finalErrors: Record<string, number>
  /** Events with neither a delivery nor a final error: must be 0. */
  unaccounted: number
  /** Identify events' directory (deduplicates on email) and transactions' (no deduplication: the destination's lookup). */
  contacts: { identify: ContactCheck; transaction: ContactCheck }
  transactions: DeliveryCheck
  workflowRuns: DeliveryCheck
  faultsInjected: Record<string, number>
  requests: number
  lost: number
  /** Copies of one event that Qualtrics holds although the destination was told of at most one: must be 0. */
  duplicates: number
}

interface ContactCheck {
  stored: number
  identities: number
  /** Contacts beyond one per identity. */
  duplicates: number
  /** Identities a delivered event named, with no contact. */
  missing: number
}

/** One contact per identity, the identity being what `identityOf` reads (lower-cased) from a stored contact. */
function checkContacts(
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

interface DeliveryCheck {
  delivered: number
  stored: number
  /** Reported delivered, but not stored. */
  missing: number
  /** Stored more than once, every extra copy from a request whose response was lost (the at-least-once window). */
  resentAfterLostResponse: number
  /** Stored more than once with no lost response to explain it. */
  unexplainedDuplicates: number
  /** Stored although the event ended with a final error (its last response was lost). */
  storedButReportedFailed: number
}

interface Delivery {
  action: string
  status: number
  retryable: boolean
  errortype?: string
  errormessage?: string
}

type Kind = 'identify' | 'transaction' | 'survey'
const kindOf = (event: WorkloadEvent): Kind =>
  event.type === 'identify' ? 'identify' : event.event === 'Transaction Created' ? 'transaction' : 'survey'

/** Groups stored records by the event they came from and compares them with what was reported. */
function checkDeliveries<T extends { responseLost?: boolean }>(
  stored: T[],
  messageIdOf: (record: T) => string,
  delivered: Set<string>,
  failed: Set<string>
): DeliveryCheck {
  const byMessage = new Map<string, T[]>()
  for (const record of stored) {
    const id = messageIdOf(record)
    byMessage.set(id, [...(byMessage.get(id) ?? []), record])
  }
  let resentAfterLostResponse = 0
  let unexplainedDuplicates = 0
  let storedButReportedFailed = 0
  for (const [id, copies] of byMessage) {
    const answered = copies.filter((copy) => !copy.responseLost).length
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

export async function runFaults(options: FaultRunOptions): Promise<FaultReport> {
  const log = options.log ?? (() => undefined)
  const batchSize = options.batchSize ?? 100
  const attempts = options.attempts ?? 5
  const existing = Math.floor(options.users / 2)
  const runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    seed: workloadSeed(existing),
    // Limits on a 60× clock: present, but the faults are what this run is about.
    sandbox: {
      timeScale: 60,
      faults: { seed: options.seed ?? 20261124, timeoutHangMs: 3000, rates: { '*': options.rates ?? DEFAULT_RATES } }
    },
    // A timed-out request gives up after 1 s instead of 15, so the run takes seconds, not minutes.
    // Transactions go to a directory that does not deduplicate, so a contact created twice would show.
    actionMappingDefaults: { upsertContactTransaction: { directoryId: PLAIN_DIRECTORY_ID } },
    requestTimeoutMs: 1000,
    bodyLimitBytes: 8 * 1024 * 1024
  })
  try {
    const events = workload(['identify', 'transaction', 'survey'], options.events, options.users, options.seed ?? 11)
    const byKind: Record<string, number> = {}
    for (const event of events) byKind[kindOf(event)] = (byKind[kindOf(event)] ?? 0) + 1

    const outcome = new Map<string, { delivered: boolean; reason?: string }>()
    let pending = events
    let resent = 0
    let attempt = 0
    while (pending.length > 0 && attempt < attempts) {
      attempt += 1
      const retry: WorkloadEvent[] = []
      const batches: WorkloadEvent[][] = []
      for (let i = 0; i < pending.length; i += batchSize) batches.push(pending.slice(i, i + batchSize))
      let next = 0
      const worker = async () => {
        while (next < batches.length) {
          const batch = batches[next++]
          const response = await fetch(`${runtime.url}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ batch })
          })
          const body = (await response.json()) as { results?: { deliveries: Delivery[] }[]; error?: string }
          batch.forEach((event, i) => {
            const deliveries = body.results?.[i]?.deliveries ?? []
            if (deliveries.length !== 1) {
              outcome.set(event.messageId, {
                delivered: false,
                reason: `expected one delivery, got ${deliveries.length} (${response.status} ${body.error ?? ''})`
              })
              return
            }
            const [delivery] = deliveries
            if (delivery.status >= 200 && delivery.status < 300) {
              outcome.set(event.messageId, { delivered: true })
            } else if (delivery.retryable && attempt < attempts) {
              retry.push(event)
            } else {
              const why = delivery.retryable
                ? `still ${delivery.status} after ${attempts} attempts`
                : `${delivery.status}`
              outcome.set(event.messageId, { delivered: false, reason: `${why} ${delivery.errortype ?? ''}`.trim() })
            }
          })
        }
      }
      await Promise.all(Array.from({ length: options.parallelBatches ?? 2 }, worker))
      log(`attempt ${attempt}: ${pending.length} sent, ${retry.length} to retry`)
      if (attempt < attempts) resent += retry.length
      pending = retry
    }

    const state = runtime.sandbox!.store.snapshot()
    const [directory, plainDirectory] = state.directories
    const deliveredIds = (kind: Kind) =>
      new Set(events.filter((e) => kindOf(e) === kind && outcome.get(e.messageId)?.delivered).map((e) => e.messageId))
    const failedIds = (kind: Kind) =>
      new Set(
        events
          .filter((e) => kindOf(e) === kind && outcome.get(e.messageId)?.delivered === false)
          .map((e) => e.messageId)
      )

    // One contact per person a delivered event named, plus the seeded ones: by email where identify events go (the
    // directory merges on it), by extRef where transactions go (nothing merges there but the destination's lookup).
    const seeded = Array.from({ length: existing }, (_, user) => user)
    const namedBy = (
      kind: Kind,
      identity: (event: WorkloadEvent) => string,
      seededIdentity: (user: number) => string
    ) =>
      new Set([
        ...seeded.map(seededIdentity),
        ...events.filter((e) => kindOf(e) === kind && outcome.get(e.messageId)?.delivered).map(identity)
      ])
    const contacts = {
      identify: checkContacts(
        directory.contacts as StoredContact[],
        namedBy('identify', (e) => String(e.traits?.email), userEmail),
        (c) => c.email
      ),
      transaction: checkContacts(
        plainDirectory.contacts as StoredContact[],
        namedBy('transaction', (e) => e.userId, userId),
        (c) => c.extRef
      )
    }
    const transactions = checkDeliveries(
      plainDirectory.transactions as StoredTransaction[],
      (t) => String(t.data[MESSAGE_ID_DATA_KEY]),
      deliveredIds('transaction'),
      failedIds('transaction')
    )
    const workflowRuns = checkDeliveries(
      state.workflowRuns as WorkflowRun[],
      (run) => String((run.payload as { messageId?: string }).messageId),
      deliveredIds('survey'),
      failedIds('survey')
    )

    const finalErrors: Record<string, number> = {}
    for (const { delivered, reason } of outcome.values()) {
      if (!delivered) finalErrors[reason ?? 'no reason'] = (finalErrors[reason ?? 'no reason'] ?? 0) + 1
    }
    const delivered = [...outcome.values()].filter((o) => o.delivered).length
    const stats = runtime.sandbox!.stats()
    return {
      sent: events.length,
      byKind,
      attempts: attempt,
      resent,
      delivered,
      finalErrors,
      unaccounted: events.filter((e) => !outcome.has(e.messageId)).length,
      contacts,
      transactions,
      workflowRuns,
      faultsInjected: { ...stats.faults, rateLimited: stats.rateLimited },
      requests: stats.requests,
      lost: contacts.identify.missing + contacts.transaction.missing + transactions.missing + workflowRuns.missing,
      duplicates:
        contacts.identify.duplicates +
        contacts.transaction.duplicates +
        transactions.unexplainedDuplicates +
        workflowRuns.unexplainedDuplicates
    }
  } finally {
    await runtime.close()
  }
}

export function formatReport(report: FaultReport): string {
  const kinds = Object.entries(report.byKind)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ')
  const errors = Object.entries(report.finalErrors)
    .map(([reason, n]) => `    ${n} × ${reason}`)
    .join('\n')
  const check = (name: string, c: DeliveryCheck) =>
    `${name}: ${c.delivered} reported delivered, ${c.stored} stored; missing ${c.missing}; ` +
    `stored twice ${c.resentAfterLostResponse + c.unexplainedDuplicates} (${c.resentAfterLostResponse} after a lost ` +
    `response, recognisable by messageId; ${c.unexplainedDuplicates} otherwise); ` +
    `stored although reported failed ${c.storedButReportedFailed}`
  const contacts = (name: string, c: ContactCheck) =>
    `contacts, ${name}: ${c.stored} stored for ${c.identities} identities; duplicates ${c.duplicates}; missing ${c.missing}`
  const copies = report.transactions.resentAfterLostResponse + report.workflowRuns.resentAfterLostResponse
  return [
    `sent: ${report.sent} events (${kinds}) in ${report.attempts} attempt rounds; re-sent ${report.resent} times`,
    `Qualtrics requests: ${report.requests}; injected: ${Object.entries(report.faultsInjected)
      .map(([fault, n]) => `${n} ${fault}`)
      .join(', ')}`,
    `delivered: ${report.delivered}; final errors: ${report.sent - report.delivered - report.unaccounted}; unaccounted: ${report.unaccounted}`,
    ...(errors ? ['  final errors by reason:', errors] : []),
    contacts('identify directory (deduplicates on email)', report.contacts.identify),
    contacts('transaction directory (no deduplication; by extRef)', report.contacts.transaction),
    check('transactions', report.transactions),
    check('workflow runs', report.workflowRuns),
    `lost: ${report.lost}; duplicates of contacts or of answered deliveries: ${report.duplicates}`,
    `stored twice because a response was lost and the event retried (the at-least-once window): ${copies} ` +
      `(${report.transactions.resentAfterLostResponse} transactions, ${report.workflowRuns.resentAfterLostResponse} workflow runs)`
  ].join('\n')
}
