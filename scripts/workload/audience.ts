/**
 * Engage audience events for the audience benchmark, the fault run and their tests: a backfill (everyone in the
 * audience enters) and then a repeatable mix of entries and exits, with what the list must hold afterwards.
 */
import { seededRandom } from '../../src/sandbox/faults'
import type { SandboxSeed } from '../../src/sandbox'

/** A directory of its own for audiences, deduplicating on email as syncAudience requires. */
export const AUDIENCE_DIRECTORY_ID = 'POOL_audience00001'
export const AUDIENCE_KEY = 'vip_churn_risk'
export const AUDIENCE_NAME = 'VIP churn risk'

export const memberUserId = (person: number) => `member-${String(person).padStart(5, '0')}`
export const memberEmail = (person: number) => `${memberUserId(person)}@example.com`

export interface AudienceEvent {
  type: 'identify' | 'track'
  event?: 'Audience Entered' | 'Audience Exited'
  userId: string
  messageId: string
  timestamp: string
  traits?: Record<string, unknown>
  properties?: Record<string, unknown>
  context: {
    traits?: Record<string, unknown>
    personas: {
      computation_class: 'audience'
      computation_key: string
      computation_id: string
      external_audience_id: string
      audience_settings: { directoryId: string }
    }
  }
}

/** One change, as a person and whether Engage says they are in the audience. */
export interface AudienceChange {
  person: number
  member: boolean
}

/**
 * One Engage event for a change: identify with the trait for even-numbered messages, track Audience Entered /
 * Exited with the property otherwise (Engage sends either, by how the destination was connected).
 */
export function audienceEvent(change: AudienceChange, externalId: string, n: number): AudienceEvent {
  const { person, member } = change
  const personas = {
    computation_class: 'audience' as const,
    computation_key: AUDIENCE_KEY,
    computation_id: 'aud_vipchurnrisk0001',
    external_audience_id: externalId,
    audience_settings: { directoryId: AUDIENCE_DIRECTORY_ID }
  }
  const common = {
    userId: memberUserId(person),
    messageId: `audience-${n}-${person}-${member ? 'in' : 'out'}`,
    timestamp: new Date(Date.UTC(2026, 11, 1, 9) + n * 1000).toISOString()
  }
  if (n % 2 === 0) {
    return {
      type: 'identify',
      ...common,
      traits: { email: memberEmail(person), firstName: `Member${person}`, [AUDIENCE_KEY]: member },
      context: { personas }
    }
  }
  return {
    type: 'track',
    event: member ? 'Audience Entered' : 'Audience Exited',
    ...common,
    properties: { audience_key: AUDIENCE_KEY, [AUDIENCE_KEY]: member },
    context: { traits: { email: memberEmail(person), firstName: `Member${person}` }, personas }
  }
}

/** Everyone 0 … members-1 enters: what Engage sends when the destination is connected. */
export const backfillChanges = (members: number): AudienceChange[] =>
  Array.from({ length: members }, (_, person) => ({ person, member: true }))

/**
 * `count` changes after a backfill of `members` people: about 40% exits of members, 30% people new to the audience,
 * 20% re-entries of people who left, and 10% a second change for someone changed moments before (so a batch holds
 * one person twice and only the last may count). Repeatable for a seed.
 */
export function mixedChanges(count: number, members: number, seed = 5): AudienceChange[] {
  const random = seededRandom(seed)
  const inAudience = new Set(backfillChanges(members).map((c) => c.person))
  const left: number[] = []
  let nextNew = members
  const changes: AudienceChange[] = []
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]
  while (changes.length < count) {
    const roll = random()
    let change: AudienceChange
    if (roll < 0.1 && changes.length > 0) {
      const previous = changes[changes.length - 1 - Math.floor(random() * Math.min(5, changes.length))]
      change = { person: previous.person, member: !inAudience.has(previous.person) }
    } else if (roll < 0.5 && inAudience.size > 0) {
      change = { person: pick([...inAudience]), member: false }
    } else if (roll < 0.7 && left.length > 0) {
      change = { person: left.splice(Math.floor(random() * left.length), 1)[0], member: true }
    } else {
      change = { person: nextNew++, member: true }
    }
    if (change.member) inAudience.add(change.person)
    else {
      inAudience.delete(change.person)
      left.push(change.person)
    }
    changes.push(change)
  }
  return changes
}

/** Who is in the audience after the changes, in order: the last change of each person wins. */
export function lastSaid(changes: AudienceChange[]): Set<number> {
  const members = new Set<number>()
  for (const { person, member } of changes) {
    if (member) members.add(person)
    else members.delete(person)
  }
  return members
}

/** Adds the audience directory (email deduplication, no list yet: createAudience makes it) to a seed. */
export function withAudienceDirectory(seed: SandboxSeed, existingMembers = 0): SandboxSeed {
  const contacts = Array.from({ length: existingMembers }, (_, person) => ({
    extRef: memberUserId(person),
    email: memberEmail(person)
  }))
  const directory = { directoryId: AUDIENCE_DIRECTORY_ID, name: 'Audiences', deduplicationCriteria: { email: true } }
  return { ...seed, directories: [...seed.directories, { ...directory, contacts }] }
}
