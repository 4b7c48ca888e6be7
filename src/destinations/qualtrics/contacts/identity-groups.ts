import type { ContactBody, SearchableIdentifier } from '../client'
import { mergeContacts } from './contact-fields'

/** The identifiers a contact can be found by, in the default match order. */
export const IDENTIFIERS: SearchableIdentifier[] = ['extRef', 'email', 'phone']

/**
 * One identifier value as this destination compares it: an extRef is an ID and is compared exactly, an email
 * case-insensitively, a phone number as given; all trimmed.
 */
export function normalizeIdentifier(type: SearchableIdentifier, value: string): string {
  const trimmed = value.trim()
  return type === 'email' ? trimmed.toLowerCase() : trimmed
}

/**
 * The identity rule: a contact can be a person's only if its extRef equals the person's exactly (an extRef is an ID:
 * `abc` and `ABC` are two people), both trimmed, or if either has none (blank counts as none). Qualtrics' search
 * ignores case and a search by email or phone answers everyone who shares it, so every contact found, by search or
 * from the contact cache, passes this before it is used.
 */
export function extRefsAgree(contactExtRef: string | undefined, personExtRef: string | undefined): boolean {
  const [contact, person] = [contactExtRef?.trim(), personExtRef?.trim()]
  return !contact || !person || contact === person
}

/** How events are put together. */
export interface GroupingRules {
  /** Compare extRefs ignoring case (as Qualtrics' own matching does), instead of exactly. */
  extRefIgnoresCase: boolean
  /** Never put two events whose extRefs differ in one group, even when they share an email or phone. */
  splitOnDifferentExtRef: boolean
}

/**
 * Who is the same person: an event joins the group of any earlier event it shares an identifier with, unless
 * both carry an extRef and the extRefs differ: an extRef is an ID, so two of them are two people even with one
 * email (a shared family address, or an anonymousId before login). An event without an extRef that shares
 * identifiers with two such people joins the one seen first in the batch.
 */
export const SAME_PERSON: GroupingRules = { extRefIgnoresCase: false, splitOnDifferentExtRef: true }

/**
 * Which writes can reach the same contact: any shared identifier, compared as Qualtrics' deduplication compares
 * them (ignoring case), extRefs or not. Used only to order writes, where putting too much together costs only
 * parallelism.
 */
export const SAME_CONTACT_REACH: GroupingRules = { extRefIgnoresCase: true, splitOnDifferentExtRef: false }

export interface IdentityMember {
  /** The event's place in its batch. */
  index: number
  directoryId: string
  contact: ContactBody
}

export interface IdentityGroup {
  directoryId: string
  /** The members' batch indices, in batch order. */
  indices: number[]
  /** The members' contact fields merged in batch order (a later value wins). */
  contact: ContactBody
  /** Each identifier's distinct values (trimmed, first spelling seen), in batch order. */
  values: Record<SearchableIdentifier, string[]>
}

function keyOf(rules: GroupingRules, type: SearchableIdentifier, value: string): string {
  const normalized = normalizeIdentifier(type, value)
  return `${type}:${type === 'extRef' && rules.extRefIgnoresCase ? normalized.toLowerCase() : normalized}`
}

/** The member's identifier keys, extRef first so that an event joins its own extRef's group before any other. */
function memberKeys(member: IdentityMember, rules: GroupingRules): string[] {
  return IDENTIFIERS.filter((type) => typeof member.contact[type] === 'string' && member.contact[type] !== '').map(
    (type) => `${member.directoryId}\u0000${keyOf(rules, type, member.contact[type] as string)}`
  )
}

/** Groups a batch's members (a union-find over shared identifiers, per directory); groups come in batch order. */
export function groupByIdentity(members: IdentityMember[], rules: GroupingRules = SAME_PERSON): IdentityGroup[] {
  const parent = members.map((_, position) => position)
  const find = (position: number): number => {
    while (parent[position] !== position) {
      parent[position] = parent[parent[position]]
      position = parent[position]
    }
    return position
  }
  const extRefOfRoot = new Map<number, string | undefined>()
  const firstHolder = new Map<string, number>()
  members.forEach((member, position) => {
    const extRef = member.contact.extRef
    extRefOfRoot.set(position, extRef === undefined ? undefined : keyOf(rules, 'extRef', extRef))
    for (const key of memberKeys(member, rules)) {
      const holder = firstHolder.get(key)
      if (holder === undefined) {
        firstHolder.set(key, position)
        continue
      }
      const [a, b] = [find(holder), find(position)]
      if (a === b) continue
      const [extRefA, extRefB] = [extRefOfRoot.get(a), extRefOfRoot.get(b)]
      if (rules.splitOnDifferentExtRef && extRefA !== undefined && extRefB !== undefined && extRefA !== extRefB) {
        continue
      }
      // The earlier event stays the root, so groups keep batch order.
      const [root, child] = a < b ? [a, b] : [b, a]
      parent[child] = root
      extRefOfRoot.set(root, extRefA ?? extRefB)
    }
  })

  const byRoot = new Map<number, IdentityMember[]>()
  members.forEach((member, position) => {
    const root = find(position)
    const group = byRoot.get(root) ?? []
    group.push(member)
    byRoot.set(root, group)
  })
  return [...byRoot.entries()].sort(([a], [b]) => a - b).map(([, group]) => toGroup(group, rules))
}

function toGroup(members: IdentityMember[], rules: GroupingRules): IdentityGroup {
  const sorted = [...members].sort((a, b) => a.index - b.index)
  const values = { extRef: [], email: [], phone: [] } as Record<SearchableIdentifier, string[]>
  const seen = new Set<string>()
  for (const { contact } of sorted) {
    for (const type of IDENTIFIERS) {
      const value = contact[type]
      if (typeof value !== 'string' || value.trim() === '') continue
      const key = keyOf(rules, type, value)
      if (seen.has(key)) continue
      seen.add(key)
      values[type].push(value.trim())
    }
  }
  return {
    directoryId: sorted[0].directoryId,
    indices: sorted.map((member) => member.index),
    contact: sorted.slice(1).reduce((merged, member) => mergeContacts(merged, member.contact), sorted[0].contact),
    values
  }
}
