/**
 * A fault run: mixed identify / Transaction Created / Survey Completed events (and a few bad-input ones), in
 * batches, through the local server (POST /events) to the sandbox while it injects 5xx, 429s, timeouts and dropped
 * connections and lags its search index. Segment's retrying is emulated on the sandbox clock: events reported
 * retryable are sent again after exponential back-off until delivered or the 4-hour window closes. Then every
 * event's fate is checked against what the sandbox stored. Used by `npm run faults` (10,000 events) and by a test.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalRuntime } from '../../src/server/runtime'
import type { FaultRates, SandboxStore } from '../../src/sandbox'
import { MESSAGE_ID_DATA_KEY } from '../../src/destinations/qualtrics/upsertContactTransaction/transaction'
import { checkContacts, checkDeliveries, lossAndDuplicates } from './accounting'
import type { FaultReport } from './accounting'
import { summarizeOutcomes } from './outcomes'
import type { EventOutcome } from './outcomes'
import { withAudienceDirectory } from '../workload/audience'
import { runAudienceFaults } from './audience'
import { deliverWithRetries } from './delivery'
import type { DeliveryOptions } from './delivery'
import { attemptTimes, describePolicy, SEGMENT_DESTINATION_RETRIES } from '../../src/server/tracking'
import type { RetryPolicy } from '../../src/server/tracking'
import { makeBadInputEvent, PLAIN_DIRECTORY_ID, userEmail, userId, workload, workloadSeed } from '../workload/events'
import type { WorkloadEvent } from '../workload/events'

export interface FaultRunOptions extends DeliveryOptions {
  events: number
  users: number
  retryPolicy?: RetryPolicy
  rates?: FaultRates
  /** The sandbox's read-after-write lag, on its clock (default DEFAULT_INDEX_LAG_MS; 0 turns it off). */
  indexLagMs?: number
  seed?: number
  /** Engage audience members to backfill (default half the users; 0 leaves the audience part out), then changes. */
  audienceMembers?: number
  audienceChanges?: number
}

/** 5% 5xx, 3% 429, 1% timeouts, 1% dropped connections on every endpoint. */
export const DEFAULT_RATES: FaultRates = {
  status500: 0.025,
  status503: 0.025,
  status429: 0.03,
  timeout: 0.01,
  drop: 0.01
}
/** A second of lag after a create before search and GET see the contact. */
export const DEFAULT_INDEX_LAG_MS = 1000
/** The sandbox clock's speed: rate limits present but not in charge; 1 s of lag is about 17 real ms. */
export const FAULT_RUN_TIME_SCALE = 60
/** One event in this many is made bad input on purpose. */
const BAD_INPUT_EVERY = 1000

type Kind = 'identify' | 'transaction' | 'survey'
const kindOf = (event: WorkloadEvent): Kind =>
  event.type === 'identify' ? 'identify' : event.event === 'Transaction Created' ? 'transaction' : 'survey'

/** The workload, with one event in BAD_INPUT_EVERY replaced by one the destination must refuse. */
function faultRunEvents(options: FaultRunOptions): { events: WorkloadEvent[]; badInput: Set<string> } {
  const events = workload(['identify', 'transaction', 'survey'], options.events, options.users, options.seed ?? 11)
  const badInput = new Set<string>()
  for (let i = BAD_INPUT_EVERY / 2; i < events.length; i += BAD_INPUT_EVERY) {
    events[i] = makeBadInputEvent(i)
    badInput.add(events[i].messageId)
  }
  return { events, badInput }
}

type Snapshot = ReturnType<SandboxStore['snapshot']>

/** What the sandbox holds, against what each event's outcome says it should hold. */
function checkStorage(state: Snapshot, events: WorkloadEvent[], outcomes: Map<string, EventOutcome>, existing: number) {
  const [directory, plainDirectory] = state.directories
  const withOutcome = (kind: Kind, delivered: boolean) =>
    events.filter((e) => kindOf(e) === kind && outcomes.get(e.messageId)?.delivered === delivered)
  const ids = (list: WorkloadEvent[]) => new Set(list.map((e) => e.messageId))
  const fates = (kind: Kind) => ({
    delivered: ids(withOutcome(kind, true)),
    failed: ids(withOutcome(kind, false)),
    unanswered: ids(events.filter((e) => kindOf(e) === kind && outcomes.get(e.messageId)?.unanswered))
  })
  // One contact per person a delivered event named, plus the seeded ones: by email where identify events go (the
  // directory merges on it), by extRef where transactions go (nothing merges there but the destination's lookup).
  const seeded = Array.from({ length: existing }, (_, user) => user)
  const namedBy = (kind: Kind, identity: (event: WorkloadEvent) => string, seededIdentity: (user: number) => string) =>
    new Set([...seeded.map(seededIdentity), ...withOutcome(kind, true).map(identity)])
  return {
    contacts: {
      identify: checkContacts(
        directory.contacts,
        namedBy('identify', (e) => String(e.traits?.email), userEmail),
        (c) => c.email
      ),
      transaction: checkContacts(
        plainDirectory.contacts,
        namedBy('transaction', (e) => String(e.userId), userId),
        (c) => c.extRef
      )
    },
    transactions: checkDeliveries(
      plainDirectory.transactions,
      (t) => String(t.data[MESSAGE_ID_DATA_KEY]),
      fates('transaction')
    ),
    workflowRuns: checkDeliveries(
      state.workflowRuns,
      (run) => String((run.payload as { messageId?: string }).messageId),
      fates('survey')
    )
  }
}

export async function runFaults(options: FaultRunOptions): Promise<FaultReport> {
  const policy = options.retryPolicy ?? SEGMENT_DESTINATION_RETRIES
  const schedule = attemptTimes(policy)
  const indexLagMs = options.indexLagMs ?? DEFAULT_INDEX_LAG_MS
  const existing = Math.floor(options.users / 2)
  const audienceMembers = options.audienceMembers ?? existing
  // A queue of its own: runs (and jest workers) in parallel must not share the default .local/queue/.
  const queueFolder = mkdtempSync(join(tmpdir(), 'fault-run-queue-'))
  const runtime = await startLocalRuntime({
    tracking: { queueFolder },
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    seed: withAudienceDirectory(workloadSeed(existing), Math.floor(audienceMembers / 2)),
    sandbox: {
      timeScale: FAULT_RUN_TIME_SCALE,
      faults: {
        seed: options.seed ?? 20261124,
        timeoutHangMs: 3000,
        indexLagMs,
        rates: { '*': options.rates ?? DEFAULT_RATES }
      }
    },
    // A timed-out request gives up after 1 s instead of 15, so the run takes seconds, not minutes.
    // Transactions go to a directory that does not deduplicate, so a contact created twice would show.
    actionMappingDefaults: { upsertContactTransaction: { directoryId: PLAIN_DIRECTORY_ID } },
    requestTimeoutMs: 1000,
    bodyLimitBytes: 8 * 1024 * 1024
  })
  const sandbox = runtime.sandbox!
  try {
    const { events, badInput } = faultRunEvents(options)
    const byKind: Record<string, number> = {}
    for (const event of events) byKind[kindOf(event)] = (byKind[kindOf(event)] ?? 0) + 1
    const { outcomes, rounds, resent } = await deliverWithRetries(runtime.url, sandbox.clock, events, options, schedule)
    const storage = checkStorage(sandbox.store.snapshot(), events, outcomes, existing)
    const audience =
      audienceMembers > 0
        ? await runAudienceFaults(
            {
              url: runtime.url,
              clock: sandbox.clock,
              store: () => sandbox.store,
              schedule,
              deliver: (audienceEvents, target) => {
                const log = (line: string) => options.log?.(`audience, ${line}`)
                return deliverWithRetries(
                  runtime.url,
                  sandbox.clock,
                  audienceEvents,
                  { ...options, log },
                  schedule,
                  target
                )
              }
            },
            audienceMembers,
            options.audienceChanges ?? Math.ceil(audienceMembers / 2),
            options.seed ?? 11
          )
        : undefined
    const summary = summarizeOutcomes(
      events.map((e) => e.messageId),
      outcomes,
      badInput
    )
    const stats = sandbox.stats()
    return {
      sent: events.length,
      byKind,
      badInput: badInput.size,
      indexLagMs,
      retryPolicy: describePolicy(policy),
      rounds,
      lastRoundAtMs: schedule[rounds - 1] ?? 0,
      resent,
      outcomes: summary,
      ...storage,
      faultsInjected: { ...stats.faults, rateLimited: stats.rateLimited },
      requests: stats.requests,
      ...lossAndDuplicates(summary, storage.contacts, [storage.transactions, storage.workflowRuns]),
      ...(audience ? { audience } : {})
    }
  } finally {
    await runtime.close()
    rmSync(queueFolder, { recursive: true, force: true })
  }
}
