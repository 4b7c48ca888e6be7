import { ApiError, parseSeed, SandboxStore } from '../../src/sandbox'
import { DIR, DIR_PLAIN, ML, testSeed } from './helpers'

function refusal(fn: () => unknown): [number, string] | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return [error.status, error.errorCode]
    throw error
  }
  return undefined
}

describe('SandboxStore.addToMailingList (what a bulk import calls for the contacts it created)', () => {
  let store: SandboxStore
  beforeEach(() => {
    store = new SandboxStore(testSeed())
  })

  it('makes an existing contact a member and returns its CGC_ contactLookupId, once', () => {
    const { id } = store.createContact(DIR, { email: 'imported@example.com' })
    const lookupId = store.addToMailingList(DIR, ML, id)
    expect(lookupId).toMatch(/^CGC_[0-9a-f]{15}$/)
    expect(store.addToMailingList(DIR, ML, id)).toBe(lookupId)
    expect(store.mailingLists(DIR).get(ML).contactCount).toBe(1)
    expect(store.getContact(DIR, id).mailingListMembership).toEqual({
      [ML]: { name: 'Customers', contactLookupId: lookupId, unsubscribed: false }
    })
  })

  it('refuses an unknown list (SANDBOX_LIST_NOT_FOUND) and an unknown contact (SANDBOX_NOT_A_MEMBER)', () => {
    expect(refusal(() => store.addToMailingList(DIR, 'CG_unknown', 'CID_seeded0000001'))).toEqual([
      404,
      'SANDBOX_LIST_NOT_FOUND'
    ])
    expect(refusal(() => store.addToMailingList(DIR, ML, 'CID_unknown'))).toEqual([404, 'SANDBOX_NOT_A_MEMBER'])
    // A contact of another directory is unknown here.
    const { id } = store.createContact(DIR_PLAIN, { email: 'elsewhere@example.com' })
    expect(refusal(() => store.addToMailingList(DIR, ML, id))).toEqual([404, 'SANDBOX_NOT_A_MEMBER'])
    expect(refusal(() => store.addToMailingList('POOL_nope', ML, id))).toEqual([404, 'SANDBOX_NOT_FOUND'])
  })

  it('forgets a deleted contact in every list of its directory', () => {
    const second = store.mailingLists(DIR).create({ name: 'Second' }).id
    store.addToMailingList(DIR, ML, 'CID_seeded0000001')
    store.addToMailingList(DIR, second, 'CID_seeded0000001')
    expect(store.mailingLists(DIR).membershipCount('CID_seeded0000001')).toBe(2)
    store.deleteContact(DIR, 'CID_seeded0000001')
    expect(
      store
        .mailingLists(DIR)
        .listing()
        .map((list) => list.contactCount)
    ).toEqual([0, 0])
  })
})

describe('seeded list members', () => {
  const user = { token: 't', userName: 'u' }
  const directory = (members: unknown) => ({
    directoryId: 'P',
    contacts: [{ id: 'CID_1', email: 'a@example.com' }],
    mailingLists: [{ mailingListId: 'CG_1', members }]
  })

  it('accepts members that name contacts seeded in the same directory', () => {
    const seed = parseSeed({ users: [user], directories: [directory(['CID_1'])] })
    const store = new SandboxStore(seed)
    expect(
      store
        .mailingLists('P')
        .members('CG_1')
        .map(([contactId]) => contactId)
    ).toEqual(['CID_1'])
  })

  it.each([[['CID_2']], [[7]], ['CID_1']])('refuses members %j with the place named', (members) => {
    expect(() => parseSeed({ users: [user], directories: [directory(members)] })).toThrow(
      /directories\[0\]\.mailingLists\[0\]\.members/
    )
  })
})
