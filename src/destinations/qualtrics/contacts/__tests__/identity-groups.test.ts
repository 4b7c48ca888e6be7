import type { ContactBody } from '../../client'
import { groupByIdentity, normalizeIdentifier, SAME_CONTACT_REACH, SAME_PERSON } from '../identity-groups'
import '../../__tests__/__helpers__/harness'

const members = (contacts: ContactBody[], directoryId = 'POOL_1') =>
  contacts.map((contact, index) => ({ index, directoryId, contact }))
const indicesOf = (contacts: ContactBody[], rules = SAME_PERSON) =>
  groupByIdentity(members(contacts), rules).map((group) => group.indices)

describe('normalizeIdentifier', () => {
  it('compares an extRef exactly, an email ignoring case, a phone as given; all trimmed', () => {
    expect(normalizeIdentifier('extRef', ' AbC ')).toBe('AbC')
    expect(normalizeIdentifier('email', ' Ada@Example.COM ')).toBe('ada@example.com')
    expect(normalizeIdentifier('phone', ' +1 555 0100 ')).toBe('+1 555 0100')
  })
})

describe('groupByIdentity (same person)', () => {
  it('puts events that share any identifier together, in batch order', () => {
    expect(
      indicesOf([{ extRef: 'u1', email: 'a@x.co' }, { extRef: 'u2' }, { extRef: 'u1' }, { extRef: 'u1', phone: '+1' }])
    ).toEqual([[0, 2, 3], [1]])
  })

  it('an email differing only in case is the same person', () => {
    expect(indicesOf([{ email: 'ada@x.co' }, { email: 'ADA@X.CO ' }])).toEqual([[0, 1]])
  })

  it('extRefs differing only in case are two people', () => {
    expect(indicesOf([{ extRef: 'abc' }, { extRef: 'ABC' }])).toEqual([[0], [1]])
  })

  it('joins a chain a–b–c (email, then phone) into one group', () => {
    const groups = groupByIdentity(
      members([
        { extRef: 'u1', email: 'a@x.co' },
        { email: 'A@x.co', phone: '+1' },
        { phone: '+1', firstName: 'Ada' }
      ])
    )
    expect(groups.map((g) => g.indices)).toEqual([[0, 1, 2]])
    expect(groups[0].values).toEqual({ extRef: ['u1'], email: ['a@x.co'], phone: ['+1'] })
    expect(groups[0].contact).toEqual({ extRef: 'u1', email: 'A@x.co', phone: '+1', firstName: 'Ada' })
  })

  it('joins a chain that meets in the middle (the later event links two earlier groups)', () => {
    expect(indicesOf([{ email: 'a@x.co' }, { phone: '+1' }, { email: 'a@x.co', phone: '+1' }])).toEqual([[0, 1, 2]])
  })

  it('never joins two extRefs, even through a shared email; an event without one joins the first seen', () => {
    const contacts = [
      { extRef: 'anon-1', email: 'a@x.co' },
      { extRef: 'user-1', email: 'a@x.co' },
      { email: 'a@x.co' },
      { extRef: 'user-1', phone: '+1' }
    ]
    expect(indicesOf(contacts)).toEqual([
      [0, 2],
      [1, 3]
    ])
    // Order decides where the extRef-less event goes, never whether two extRefs meet.
    expect(indicesOf([contacts[2], contacts[0], contacts[1]])).toEqual([[0, 1], [2]])
  })

  it('does not link two extRefs through an event without one that shares an identifier with each', () => {
    expect(
      indicesOf([
        { extRef: 'a', email: 'e@x.co' },
        { extRef: 'b', phone: '+1' },
        { email: 'e@x.co', phone: '+1' }
      ])
    ).toEqual([[0, 2], [1]])
  })

  it('keeps every distinct value of an identifier, first spelling first, and merges fields in batch order', () => {
    const [group] = groupByIdentity(
      members([
        { extRef: 'u1', email: 'old@x.co', firstName: 'A', embeddedData: { a: 1, b: 1 } },
        { extRef: 'u1', email: 'NEW@x.co', embeddedData: { b: 2 } },
        { extRef: 'u1', email: 'new@x.co' }
      ])
    )
    expect(group.values.email).toEqual(['old@x.co', 'NEW@x.co'])
    expect(group.contact).toEqual({ extRef: 'u1', email: 'new@x.co', firstName: 'A', embeddedData: { a: 1, b: 2 } })
  })

  it('groups per directory', () => {
    const groups = groupByIdentity([
      { index: 0, directoryId: 'POOL_1', contact: { extRef: 'u1' } },
      { index: 1, directoryId: 'POOL_2', contact: { extRef: 'u1' } },
      { index: 2, directoryId: 'POOL_1', contact: { extRef: 'u1' } }
    ])
    expect(groups.map((g) => [g.directoryId, g.indices])).toEqual([
      ['POOL_1', [0, 2]],
      ['POOL_2', [1]]
    ])
  })
})

describe('groupByIdentity (writes that can reach the same contact)', () => {
  it('ignores case in extRefs and joins across different extRefs, as the directory deduplication could', () => {
    expect(
      indicesOf(
        [{ extRef: 'abc' }, { extRef: 'ABC' }, { extRef: 'x', email: 'e@x.co' }, { extRef: 'y', email: 'E@x.co' }],
        SAME_CONTACT_REACH
      )
    ).toEqual([
      [0, 1],
      [2, 3]
    ])
  })
})
