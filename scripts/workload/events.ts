/**
 * The synthetic workload the benchmark and the fault runs share: a seeded sandbox directory where some users
 * already exist, and Segment events spread over the users in a repeatable shuffled order.
 */
import { seededRandom } from '../../src/sandbox/faults'
import type { SandboxSeed } from '../../src/sandbox'

export const WORKLOAD_TOKEN = 'workload-sandbox-token'
export const DIRECTORY_ID = 'POOL_workload00001'
/** Holds the same users but does not deduplicate: only the destination's own lookup keeps contacts single there. */
export const PLAIN_DIRECTORY_ID = 'POOL_workload00002'
export const MAILING_LIST_ID = 'CG_workload00001'
export const WORKFLOW_TOKEN_ID = '0b5e55ed-0000-4000-8000-000000000003'
export const WORKFLOW_URL = `https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW_TOKEN_ID}`
export const SETTINGS = { apiToken: WORKLOAD_TOKEN, datacenter: 'iad1' }

export type EventKind = 'identify' | 'transaction' | 'survey'
export const ACTION_FOR: Record<EventKind, string> = {
  identify: 'upsertContact',
  transaction: 'upsertContactTransaction',
  survey: 'triggerXflow'
}

export const userId = (user: number) => `user-${String(user).padStart(5, '0')}`
export const userEmail = (user: number) => `${userId(user)}@example.com`

/**
 * Two directories holding users 0 … existing-1 already: the first deduplicates on email, the second does not. Each
 * has a mailing list with the same id.
 */
export function workloadSeed(existing: number): SandboxSeed {
  const contacts = () =>
    Array.from({ length: existing }, (_, user) => ({
      extRef: userId(user),
      email: userEmail(user),
      firstName: `First${user}`
    }))
  return {
    users: [{ token: WORKLOAD_TOKEN, userName: 'workload@example.com', brandId: 'workload-brand' }],
    directories: [
      {
        directoryId: DIRECTORY_ID,
        name: 'Workload',
        deduplicationCriteria: { email: true },
        mailingLists: [{ mailingListId: MAILING_LIST_ID, name: 'Workload list' }],
        contacts: contacts()
      },
      {
        directoryId: PLAIN_DIRECTORY_ID,
        name: 'Workload, no deduplication',
        mailingLists: [{ mailingListId: MAILING_LIST_ID, name: 'Workload list' }],
        contacts: contacts()
      }
    ],
    workflows: [{ urlTokenId: WORKFLOW_TOKEN_ID }]
  }
}

export interface WorkloadEvent {
  type: 'identify' | 'track'
  event?: string
  userId?: string
  anonymousId?: string
  messageId: string
  timestamp: string
  traits?: Record<string, unknown>
  properties?: Record<string, unknown>
  context?: Record<string, unknown>
}

/**
 * The workload happens now: its events are dated over the five minutes before this process started, inside the
 * bulk import's date window (docs/behaviour.md), as live traffic is. A replay of old events is another workload.
 */
const WORKLOAD_TIME_MS = Date.now()
const SPREAD_SECONDS = 300

function workloadTimestamp(n: number): string {
  return new Date(WORKLOAD_TIME_MS - (n % SPREAD_SECONDS) * 1000).toISOString()
}

export function makeEvent(kind: EventKind, user: number, n: number): WorkloadEvent {
  const base = {
    userId: userId(user),
    messageId: `${kind}-${String(n).padStart(6, '0')}`,
    timestamp: workloadTimestamp(n)
  }
  if (kind === 'identify') {
    return { ...base, type: 'identify', traits: { email: userEmail(user), lastName: `Last${user}`, plan: 'pro' } }
  }
  if (kind === 'survey') {
    return { ...base, type: 'track', event: 'Survey Completed', properties: { nps: n % 11, surveyId: 'SV_workload' } }
  }
  return {
    ...base,
    type: 'track',
    event: 'Transaction Created',
    properties: { orderId: `order-${n}`, total: (n % 97) + 0.5, items: [{ sku: `sku-${n % 13}` }] },
    context: { traits: { email: userEmail(user) } }
  }
}

/**
 * An event the destination must refuse (bad input, a final 400): an identify with no identifier at all, only an
 * anonymousId. The fault run mixes a few in to check that such events are reported as refused, not lost.
 */
export function makeBadInputEvent(n: number): WorkloadEvent {
  return {
    type: 'identify',
    anonymousId: `anonymous-${n}`,
    messageId: `bad-input-${String(n).padStart(6, '0')}`,
    timestamp: workloadTimestamp(n),
    traits: { lastName: 'Nobody' }
  }
}

/**
 * `count` events over `users` users (each user about count/users events), in a shuffled order fixed by `seed`.
 * `kinds` cycles through the event kinds for a mixed workload.
 */
export function workload(kinds: EventKind[], count: number, users: number, seed = 7): WorkloadEvent[] {
  const random = seededRandom(seed)
  const owners = Array.from({ length: count }, (_, i) => i % users)
  for (let i = owners.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[owners[i], owners[j]] = [owners[j], owners[i]]
  }
  return owners.map((user, n) => makeEvent(kinds[n % kinds.length], user, n))
}

/**
 * Zipf's law with exponent 1 over `users` people: the person of popularity rank r is drawn with weight 1/r. Over
 * 2,000 people that gives the top fifth about 80% of the events (the familiar 80/20 of repeat customers) while a long
 * tail keeps bringing people not seen before. Which user holds which rank is shuffled by the seed, so popularity does
 * not follow whether a user already exists in the directory.
 */
export function zipfUsers(count: number, users: number, seed = 7, exponent = 1): number[] {
  const random = seededRandom(seed)
  const cumulative: number[] = []
  let total = 0
  for (let rank = 1; rank <= users; rank++) cumulative.push((total += 1 / rank ** exponent))
  const userAtRank = Array.from({ length: users }, (_, user) => user)
  for (let i = users - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[userAtRank[i], userAtRank[j]] = [userAtRank[j], userAtRank[i]]
  }
  return Array.from({ length: count }, () => {
    const target = random() * total
    let low = 0
    let high = users - 1
    while (low < high) {
      const mid = (low + high) >> 1
      if (cumulative[mid] < target) low = mid + 1
      else high = mid
    }
    return userAtRank[low]
  })
}

/** `batches` batches of `batchSize` events of one kind, their people drawn by `zipfUsers`; message ids run on. */
export function zipfBatches(kind: EventKind, batches: number, batchSize: number, users: number, seed = 7) {
  const owners = zipfUsers(batches * batchSize, users, seed)
  return Array.from({ length: batches }, (_, b) =>
    owners.slice(b * batchSize, (b + 1) * batchSize).map((user, i) => makeEvent(kind, user, b * batchSize + i))
  )
}
