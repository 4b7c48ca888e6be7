/**
 * The fault run's audience part: an Engage audience created through POST /createAudience, backfilled and then
 * changed (exits, newcomers, re-entries) through syncAudience's batch route while the sandbox injects faults, with
 * Segment's retries. Afterwards the mailing list must hold exactly the people Engage last said are in the audience,
 * and the directory one contact per person.
 *
 * Engage sends a person's next change minutes after the last, never while the last is still being retried, so the
 * changes are sent in phases in which each person changes once (a person's k-th change in phase k), each phase
 * delivered (retries included) before the next, with a minute of sandbox time between phases. The order of a retried event against a later one is Segment's
 * to keep, not the destination's; one person changing twice within a batch is the bench's and the e2e test's case.
 */
import type { SandboxClock, SandboxStore } from '../../src/sandbox'
import {
  AUDIENCE_DIRECTORY_ID,
  AUDIENCE_KEY,
  AUDIENCE_NAME,
  audienceEvent,
  backfillChanges,
  lastSaid,
  memberEmail,
  mixedChanges
} from '../workload/audience'
import type { AudienceChange, AudienceEvent } from '../workload/audience'
import type { DeliveryTarget } from './delivery'
import { summarizeOutcomes } from './outcomes'
import type { EventOutcome, OutcomeSummary } from './outcomes'

/** Sandbox time between two phases: Engage recomputes audiences minutes apart. */
export const PHASE_GAP_MS = 60_000

export interface ListCheck {
  /** People Engage last said are in the audience. */
  expected: number
  /** Members the list holds. */
  listed: number
  /** In the audience, not in the list. */
  missing: number
  /** In the list, not in the audience. */
  extra: number
  /** A person in the list more than once (two contacts for one person). */
  listedTwice: number
  /** Contacts in the audience directory, and those beyond one per person. */
  contacts: number
  duplicateContacts: number
}

export interface AudienceFaultReport {
  members: number
  changes: number
  phases: number
  sent: number
  badInput: number
  /** Attempts POST /createAudience took (faults hit it too), and why it never succeeded, if so. */
  createAttempts: number
  createError?: string
  outcomes: OutcomeSummary
  list: ListCheck
}

/** syncAudience's batch path on the local server: `{payload: [...]}`, one result per event. */
export const SYNC_AUDIENCE: DeliveryTarget = {
  path: '/syncAudience',
  body: (batch) => ({ payload: batch }),
  deliveries: (answer, i) => {
    const result = (answer as { results?: { status: number; retryable: boolean }[] }).results?.[i]
    return result ? [{ action: 'syncAudience', ...result }] : []
  }
}

/**
 * Splits changes into phases in which each person changes once: a person's k-th change goes in phase k, so each
 * person's changes keep their order and there are as few phases as the busiest person has changes.
 */
export function phasesOf(changes: AudienceChange[]): AudienceChange[][] {
  const phases: AudienceChange[][] = []
  const seen = new Map<number, number>()
  for (const change of changes) {
    const phase = seen.get(change.person) ?? 0
    seen.set(change.person, phase + 1)
    ;(phases[phase] ??= []).push(change)
  }
  return phases
}

/** The list against the audience, by email: who is missing, who should not be there, and doubled contacts. */
export function checkList(
  directory: ReturnType<SandboxStore['snapshot']>['directories'][number] | undefined,
  mailingListId: string,
  audience: Set<string>
): ListCheck {
  const contacts = directory?.contacts ?? []
  const emailOf = new Map(contacts.map((c) => [c.id, c.email?.toLowerCase() ?? `(no email: ${c.id})`]))
  const members = directory?.mailingLists.find((list) => list.mailingListId === mailingListId)?.members ?? []
  const listed = members.map((member) => emailOf.get(member.contactId) ?? `(no contact: ${member.contactId})`)
  const distinctListed = new Set(listed)
  return {
    expected: audience.size,
    listed: listed.length,
    missing: [...audience].filter((email) => !distinctListed.has(email)).length,
    extra: [...distinctListed].filter((email) => !audience.has(email)).length,
    listedTwice: listed.length - distinctListed.size,
    contacts: contacts.length,
    duplicateContacts: contacts.length - new Set(emailOf.values()).size
  }
}

export interface AudienceRunContext {
  url: string
  clock: SandboxClock
  store: () => SandboxStore
  /** Delivers events to a target with Segment's retries (delivery.ts's deliverWithRetries). */
  deliver(events: AudienceEvent[], target: DeliveryTarget): Promise<{ outcomes: Map<string, EventOutcome> }>
  /** Sandbox-clock waits between createAudience attempts (Segment's retry schedule). */
  schedule: number[]
}

/** POST /createAudience until it answers an external id, as Segment retries a failed create, or says why not. */
async function createAudience(
  context: AudienceRunContext
): Promise<{ externalId: string; attempts: number } | { error: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${context.url}/createAudience`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audienceName: AUDIENCE_NAME, audienceSettings: { directoryId: AUDIENCE_DIRECTORY_ID } })
    })
    // A refusal is a 400 {ok: false, error, status, retryable}: the status and retryability Segment would see.
    const body = (await response.json().catch(() => ({}))) as { externalId?: string; retryable?: boolean }
    if (response.ok && body.externalId) return { externalId: body.externalId, attempts: attempt }
    const retryable = body.retryable === true || response.status >= 500
    if (!retryable || attempt >= context.schedule.length) {
      return { error: `${response.status} ${JSON.stringify(body)}`, attempts: attempt }
    }
    context.clock.advance(context.schedule[attempt] - context.schedule[attempt - 1])
  }
}

/** An audience event Engage would never send: the membership as the string "true". Must fail alone, finally. */
function badInputEvent(externalId: string, n: number): AudienceEvent {
  const event = audienceEvent({ person: 99_999, member: true }, externalId, n)
  if (event.traits) event.traits[AUDIENCE_KEY] = 'true'
  if (event.properties) event.properties[AUDIENCE_KEY] = 'true'
  return { ...event, messageId: `audience-bad-input-${n}` }
}

/** Backfills `members` people, then sends `changes` mixed changes, phase by phase; checks the list at the end. */
export async function runAudienceFaults(
  context: AudienceRunContext,
  members: number,
  changes: number,
  seed: number
): Promise<AudienceFaultReport> {
  const created = await createAudience(context)
  const all = [...backfillChanges(members), ...mixedChanges(changes, members, seed)]
  const audience = new Set([...lastSaid(all)].map(memberEmail))
  if ('error' in created) {
    const outcomes = summarizeOutcomes([], new Map(), new Set())
    const list = checkList(undefined, '', audience)
    return {
      members,
      changes,
      phases: 0,
      sent: 0,
      badInput: 0,
      createAttempts: created.attempts,
      outcomes,
      list,
      createError: created.error
    }
  }
  const { externalId, attempts } = created
  const phases = phasesOf(all)
  const outcomes = new Map<string, EventOutcome>()
  const sent: string[] = []
  const badInput = new Set<string>()
  let n = 0
  for (const [i, phase] of phases.entries()) {
    const events = phase.map((change) => audienceEvent(change, externalId, n++))
    if (i === 0) {
      const bad = badInputEvent(externalId, n++)
      events.splice(Math.floor(events.length / 2), 0, bad)
      badInput.add(bad.messageId)
    }
    const delivered = await context.deliver(events, SYNC_AUDIENCE)
    for (const [id, outcome] of delivered.outcomes) outcomes.set(id, outcome)
    sent.push(...events.map((event) => event.messageId))
    context.clock.advance(PHASE_GAP_MS)
  }
  const directory = context
    .store()
    .snapshot()
    .directories.find((d) => d.directoryId === AUDIENCE_DIRECTORY_ID)
  return {
    members,
    changes,
    phases: phases.length,
    sent: sent.length,
    badInput: badInput.size,
    createAttempts: attempts,
    outcomes: summarizeOutcomes(sent, outcomes, badInput),
    list: checkList(directory, externalId.split(':')[1], audience)
  }
}

export const audienceReportLines = (report: AudienceFaultReport): string[] => {
  const { outcomes: o, list } = report
  return [
    ...(report.createError
      ? [`audience: never created (${report.createAttempts} attempts): ${report.createError}`]
      : []),
    `audience: ${report.members} members backfilled, then ${report.changes} changes, in ${report.phases} phases ` +
      `(${report.sent} events, ${report.badInput} bad input on purpose); createAudience took ${report.createAttempts} attempt(s)`,
    `  delivered ${o.delivered}; refused as expected ${o.rejectedAsExpected}; never delivered ${o.neverDelivered}; ` +
      `final errors on good events ${o.unexpectedFinalErrors}; unanswered attempts ${o.unanswered}`,
    `  mailing list: ${list.listed} members for ${list.expected} in the audience; missing ${list.missing}; ` +
      `not in the audience ${list.extra}; listed twice ${list.listedTwice}; contacts ${list.contacts}, ` +
      `duplicates ${list.duplicateContacts}`
  ]
}
