/**
 * The audience scenario of `npm run bench`: an Engage audience mirrored to a new mailing list. A backfill of
 * 10,000 members in batches of 1,000 (half of them already contacts in the directory, which deduplicates on email),
 * then 1,000 mixed entries and exits. Runs audience-run.ts in a process of its own and checks the
 * sandbox afterwards: the list holds exactly who Engage last said is in the audience, and no contact is doubled.
 */
import { join } from 'node:path'
import { startSandbox } from '../../src/sandbox'
import {
  AUDIENCE_DIRECTORY_ID,
  backfillChanges,
  lastSaid,
  memberEmail,
  mixedChanges,
  withAudienceDirectory
} from '../workload/audience'
import type { AudienceResult, AudienceScenario, PhaseResult } from './audience-run'
import { BENCH_RETRY_POLICY, runInChild } from './run'
import { consoleTable, markdownTable } from './table'
import type { Table } from './table'
import { createProgress } from '../dev/progress'
import type { Progress } from '../dev/progress'
import { workloadSeed } from '../workload/events'

/** What the issue asks of a backfill: at most 1.1 Qualtrics requests per member added. */
export const BACKFILL_REQUESTS_PER_MEMBER_TARGET = 1.1

export interface AudienceBenchOptions {
  latencyMs: number
  timeScale: number
  indexLagMs: number
  members?: number
  changes?: number
  batchSize?: number
}

export interface AudienceOutcome {
  scenario: AudienceScenario
  result: AudienceResult
  /** Contacts in the audience directory, and how many share an email with another. */
  contacts: number
  duplicateContacts: number
  listMembers: number
  checks: string[]
}

export async function runAudienceBench(options: AudienceBenchOptions): Promise<AudienceOutcome> {
  const members = options.members ?? 10_000
  const existing = Math.floor(members / 2)
  const sandbox = await startSandbox({
    seed: withAudienceDirectory(workloadSeed(0), existing),
    timeScale: options.timeScale,
    faults: { latencyMs: options.latencyMs, indexLagMs: options.indexLagMs }
  })
  try {
    const scenario: AudienceScenario = {
      sandboxUrl: sandbox.url,
      members,
      changes: options.changes ?? 1000,
      batchSize: options.batchSize ?? 1000,
      retries: BENCH_RETRY_POLICY,
      seed: 5
    }
    const result = await runInChild<AudienceResult>(join(__dirname, 'audience-run.ts'), 'BENCH_AUDIENCE', scenario)
    const changes = [...backfillChanges(members), ...mixedChanges(scenario.changes, members, scenario.seed)]
    const directory = sandbox.store.snapshot().directories.find((d) => d.directoryId === AUDIENCE_DIRECTORY_ID)!
    const mailingListId = result.externalId.split(':')[1]
    const list = directory.mailingLists.find((l) => l.mailingListId === mailingListId)
    const emailOf = new Map(directory.contacts.map((c) => [c.id, c.email?.toLowerCase()]))
    const listed = new Set((list?.members ?? []).map((m) => emailOf.get(m.contactId)))
    const expected = new Set([...lastSaid(changes)].map(memberEmail))
    const everEntered = new Set([...changes.filter((c) => c.member).map((c) => memberEmail(c.person))])
    const distinct = new Set(emailOf.values())
    const checks: string[] = []
    const missing = [...expected].filter((email) => !listed.has(email)).length
    const extra = [...listed].filter((email) => !expected.has(email!)).length
    if (!list) checks.push(`list ${mailingListId} missing`)
    if (missing + extra > 0) checks.push(`list: ${missing} missing, ${extra} not in the audience`)
    if (list && list.members.length !== listed.size) checks.push('list: a person listed twice')
    if (distinct.size !== directory.contacts.length) {
      checks.push(`${directory.contacts.length - distinct.size} duplicate contact(s)`)
    }
    // A newcomer who enters and leaves within one batch is never added: contacts are at most everyone who entered.
    const strangers = [...distinct].filter((email) => !everEntered.has(email!)).length
    if (strangers > 0) checks.push(`${strangers} contact(s) for people who never entered`)
    const perMember = result.backfill.requests / members
    if (perMember > BACKFILL_REQUESTS_PER_MEMBER_TARGET) {
      checks.push(`backfill ${perMember.toFixed(3)} requests per member > ${BACKFILL_REQUESTS_PER_MEMBER_TARGET}`)
    }
    return {
      scenario,
      result,
      contacts: directory.contacts.length,
      duplicateContacts: directory.contacts.length - distinct.size,
      listMembers: list?.members.length ?? 0,
      checks
    }
  } finally {
    await sandbox.close()
  }
}

const failures = (phase: PhaseResult) =>
  Object.entries(phase.failed)
    .map(([status, n]) => `${n}×${status}`)
    .join(' ')

export function audienceTable({ scenario, result }: AudienceOutcome): Table {
  const row = (name: string, phase: PhaseResult, perWhat: number) => [
    name,
    String(phase.events),
    `${phase.delivered}${failures(phase) ? ` (failed ${failures(phase)})` : ''}`,
    String(phase.requests),
    (phase.requests / perWhat).toFixed(3),
    String(phase.rateLimited),
    ((phase.events * 1000) / phase.wallMs).toFixed(1),
    phase.cpuMs.toFixed(0),
    phase.peakRssMb.toFixed(0),
    phase.peakHeapMb.toFixed(0)
  ]
  return {
    headers: [
      'phase',
      'events',
      'delivered',
      'requests',
      'req/member',
      '429s',
      'events/s',
      'CPU ms',
      'RSS MB',
      'heap MB'
    ],
    numeric: [false, true, true, true, true, true, true, true, true, true],
    rows: [
      row(`backfill, batches of ${scenario.batchSize}`, result.backfill, scenario.members),
      row('mixed entries and exits', result.mixed, scenario.changes)
    ]
  }
}

export function audienceDetails(outcome: AudienceOutcome): string[] {
  const { scenario, result } = outcome
  const endpoints = (phase: PhaseResult) =>
    Object.entries(phase.byEndpoint)
      .map(([endpoint, n]) => `${endpoint} ${n}`)
      .join(', ')
  return [
    `Audience: ${scenario.members} members backfilled (${Math.floor(scenario.members / 2)} already contacts), then ` +
      `${scenario.changes} mixed changes (exits, new people, re-entries, and a second change for someone just changed) ` +
      'in one batch, identify and track Audience Entered/Exited alternating; one process, one action instance.',
    `Backfill requests by endpoint: ${endpoints(result.backfill)}; req/member is requests per member added ` +
      `(target ≤ ${BACKFILL_REQUESTS_PER_MEMBER_TARGET}).`,
    `Mixed requests by endpoint: ${endpoints(result.mixed)}; req/member there is requests per change.`,
    `Afterwards: ${outcome.listMembers} list members, ${outcome.contacts} contacts, ` +
      `${outcome.duplicateContacts} duplicate contacts; ${outcome.checks.length ? outcome.checks.join('; ') : 'the list holds exactly who Engage last said'}.`
  ]
}

/** Runs the scenario for `npm run bench` (changes: a tenth of the members), printing its table and details. */
export async function benchAudience(options: AudienceBenchOptions, progress: Progress): Promise<AudienceOutcome> {
  const members = options.members ?? 10_000
  const changes = options.changes ?? Math.ceil(members / 10)
  progress.update(`audience: backfill of ${members} members, then ${changes} entries and exits`)
  const outcome = await runAudienceBench({ ...options, members, changes })
  progress.done()
  console.log(`\n${consoleTable(audienceTable(outcome))}\n${audienceDetails(outcome).join('\n')}`)
  return outcome
}

/** The scenario's part of docs/benchmarks.md (nothing when it did not run). */
export function audienceMarkdown(outcome: AudienceOutcome | undefined): string[] {
  if (!outcome) return []
  const details = audienceDetails(outcome).map((line) => `- ${line}`)
  return [markdownTable(audienceTable(outcome)), details.join('\n')]
}

if (require.main === module) {
  // `tsx scripts/bench/audience.ts [members]`: this scenario alone, e.g. at a small size for a quick look.
  const members = Number(process.argv[2] ?? 10_000)
  benchAudience({ latencyMs: 50, timeScale: 10, indexLagMs: 1000, members }, createProgress())
    .then((outcome) => process.exit(outcome.checks.length > 0 ? 1 : 0))
    .catch((error: Error) => {
      console.error(error.stack ?? error.message)
      process.exit(1)
    })
}
