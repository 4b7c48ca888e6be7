import type { Sandbox } from '../../src/sandbox'
import {
  DIR,
  DIR_EXTREF,
  DIR_PLAIN,
  ML,
  accessToken,
  api,
  bearer,
  call,
  contactsIn,
  expectQualtricsError,
  start,
  state,
  stillClock,
  testSeed
} from './helpers'

const lists = (directoryId = DIR) => api(`/directories/${directoryId}/mailinglists`)
const members = (mailingListId = ML, directoryId = DIR) => `${lists(directoryId)}/${mailingListId}/contacts`
const addMember = (sandbox: Sandbox, body: unknown, mailingListId = ML, directoryId = DIR) =>
  call(sandbox, 'POST', members(mailingListId, directoryId), body)

/** Every member, following `nextPage` from the first page. */
async function allMembers(sandbox: Sandbox, first: string) {
  const found: { contactId: string }[] = []
  for (let next: string | null = first; next !== null;) {
    const reply = await call(sandbox, 'GET', next)
    expect(reply.status).toBe(200)
    found.push(...reply.body.result.elements)
    next = reply.body.result.nextPage
  }
  return found
}

describe('sandbox mailing lists over HTTP', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await start()
  })
  afterEach(async () => {
    await sandbox.close()
  })

  describe('create and read a list', () => {
    it('creates a list (CG_ id), reads it back and lists it with its real contactCount', async () => {
      const created = await call(sandbox, 'POST', lists(), { name: 'Cart abandoners' })
      expect(created.status).toBe(200)
      const id = created.body.result.id
      expect(id).toMatch(/^CG_[0-9a-f]{15}$/)
      const read = await call(sandbox, 'GET', `${lists()}/${id}`)
      expect(read.status).toBe(200)
      expect(read.body.result).toEqual({
        mailingListId: id,
        name: 'Cart abandoners',
        ownerId: 'UR_sandbox',
        creationDate: expect.any(Number),
        lastModifiedDate: expect.any(Number),
        contactCount: 0
      })
      await addMember(sandbox, { email: 'a@example.com' }, id)
      await addMember(sandbox, { email: 'b@example.com' }, id)
      const listing = await call(sandbox, 'GET', lists())
      const counts = Object.fromEntries(
        listing.body.result.elements.map((l: { mailingListId: string; contactCount: number }) => [
          l.mailingListId,
          l.contactCount
        ])
      )
      expect(counts).toEqual({ [ML]: 0, [id]: 2 })
    })

    it('refuses a body without a usable name, and an unknown field, with 400', async () => {
      for (const body of [
        {},
        { name: '' },
        { name: 3 },
        { name: 'x', category: 'y' },
        [],
        { name: '😀'.repeat(256) }
      ]) {
        const reply = await call(sandbox, 'POST', lists(), body)
        expect([body, reply.status]).toEqual([body, 400])
        expectQualtricsError(reply.body, '400 - Bad Request', 'SANDBOX_VALIDATION')
      }
      expect((await state(sandbox)).directories[0].mailingLists).toHaveLength(1)
      expect((await call(sandbox, 'POST', lists(), { name: '😀'.repeat(255) })).status).toBe(200)
    })

    it('answers 404 SANDBOX_NOT_FOUND for an unknown directory', async () => {
      const reply = await call(sandbox, 'POST', lists('POOL_nope'), { name: 'x' })
      expect(reply.status).toBe(404)
      expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
    })

    it('answers 404 SANDBOX_LIST_NOT_FOUND for an unknown list and for a list of another directory', async () => {
      for (const path of [`${lists()}/CG_unknown`, `${lists(DIR_EXTREF)}/${ML}`, `${lists()}/CG_extref0000001`]) {
        const reply = await call(sandbox, 'GET', path)
        expect([path, reply.status]).toEqual([path, 404])
        expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_LIST_NOT_FOUND', expect.stringContaining('CG_'))
      }
    })

    it('answers 405 for a method the list routes do not have', async () => {
      expect((await call(sandbox, 'PUT', `${lists()}/${ML}`, { name: 'x' })).status).toBe(405)
      expect((await call(sandbox, 'PUT', members(), {})).status).toBe(405)
      expect((await call(sandbox, 'GET', `${members()}/CID_seeded0000001`)).status).toBe(405)
    })
  })

  describe('add a contact to a list', () => {
    it('creates the contact in the directory and answers its CID_ id and CGC_ contactLookupId', async () => {
      const reply = await addMember(sandbox, { email: 'new@example.com', firstName: 'New', embeddedData: { a: 1 } })
      expect(reply.status).toBe(200)
      expect(reply.body.result).toEqual({
        id: expect.stringMatching(/^CID_/),
        contactLookupId: expect.stringMatching(/^CGC_[0-9a-f]{15}$/)
      })
      const contact = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${reply.body.result.id}`))
      expect(contact.body.result).toMatchObject({ email: 'new@example.com', firstName: 'New', embeddedData: { a: 1 } })
    })

    it('merges with an existing contact when a merge rule matches: same id, same lookup id, one member', async () => {
      const first = await addMember(sandbox, { email: 'Seeded@Example.com', lastName: 'Merged' })
      const again = await addMember(sandbox, { email: 'seeded@example.com' })
      expect(first.body.result.id).toBe('CID_seeded0000001')
      expect(again.body.result).toEqual(first.body.result)
      expect(await contactsIn(sandbox)).toHaveLength(1)
      expect((await call(sandbox, 'GET', `${lists()}/${ML}`)).body.result.contactCount).toBe(1)
    })

    it('creates a duplicate contact when no merge rule matches, as Qualtrics documents', async () => {
      const created = await call(sandbox, 'POST', lists(DIR_PLAIN), { name: 'Plain' })
      const list = created.body.result.id
      const first = await addMember(sandbox, { email: 'twice@example.com' }, list, DIR_PLAIN)
      const second = await addMember(sandbox, { email: 'twice@example.com' }, list, DIR_PLAIN)
      expect(second.body.result.id).not.toBe(first.body.result.id)
      expect((await contactsIn(sandbox, DIR_PLAIN)).map((c) => c.email)).toEqual([
        'twice@example.com',
        'twice@example.com'
      ])
      expect((await allMembers(sandbox, members(list, DIR_PLAIN))).map((m) => m.contactId)).toEqual([
        first.body.result.id,
        second.body.result.id
      ])
    })

    it('refuses a bad contact body with 400 and creates nothing', async () => {
      for (const body of [{ email: 5 }, { nickname: 'x' }, 'text', { embeddedData: [] }]) {
        const reply = await addMember(sandbox, body)
        expect([body, reply.status]).toEqual([body, 400])
      }
      expect(await contactsIn(sandbox)).toHaveLength(1)
      expect((await state(sandbox)).directories[0].mailingLists[0].members).toEqual([])
    })

    it('answers 404 SANDBOX_LIST_NOT_FOUND for an unknown list without creating the contact', async () => {
      const reply = await addMember(sandbox, { email: 'lost@example.com' }, 'CG_unknown')
      expect(reply.status).toBe(404)
      expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_LIST_NOT_FOUND')
      const other = await addMember(sandbox, { email: 'lost@example.com' }, 'CG_extref0000001')
      expect(other.status).toBe(404)
      expect(await contactsIn(sandbox)).toHaveLength(1)
    })
  })

  describe('list members', () => {
    it('pages members in joining order with a full-URL nextPage, up to 50 a page', async () => {
      const ids: string[] = []
      for (let i = 0; i < 7; i++) ids.push((await addMember(sandbox, { email: `m${i}@example.com` })).body.result.id)
      const first = await call(sandbox, 'GET', `${members()}?pageSize=3`)
      expect(first.body.result.elements).toHaveLength(3)
      expect(first.body.result.nextPage).toMatch(new RegExp(`^${sandbox.url}/API/v3/.*skipToken=`))
      expect((await allMembers(sandbox, `${members()}?pageSize=3`)).map((m) => m.contactId)).toEqual(ids)
      expect(first.body.result.elements[0]).toEqual({
        contactId: ids[0],
        email: 'm0@example.com',
        unsubscribed: false,
        mailingListUnsubscribed: false,
        contactLookupId: expect.stringMatching(/^CGC_/)
      })
      for (const size of ['51', '0', 'x']) {
        const refused = await call(sandbox, 'GET', `${members()}?pageSize=${size}`)
        expect([size, refused.status]).toEqual([size, 400])
      }
      expect((await call(sandbox, 'GET', `${members()}?pageSize=50`)).status).toBe(200)
    })

    it('gives 50 a page when no pageSize is asked, and embedded data with includeEmbedded=true', async () => {
      const { store } = sandbox
      for (let i = 0; i < 55; i++) {
        const { id } = store.createContact(DIR, { email: `p${i}@example.com`, embeddedData: { n: i } })
        store.addToMailingList(DIR, ML, id)
      }
      const page = await call(sandbox, 'GET', members())
      expect(page.body.result.elements).toHaveLength(50)
      expect(page.body.result.elements[0].embeddedData).toBeUndefined()
      const embedded = await call(sandbox, 'GET', `${members()}?includeEmbedded=true&pageSize=1`)
      expect(embedded.body.result.elements[0].embeddedData).toEqual({ n: 0 })
      expect(await allMembers(sandbox, members())).toHaveLength(55)
    })

    it('answers 404 SANDBOX_LIST_NOT_FOUND for the members of an unknown list', async () => {
      const reply = await call(sandbox, 'GET', members('CG_unknown'))
      expect(reply.status).toBe(404)
      expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_LIST_NOT_FOUND')
    })
  })

  describe('remove a contact from a list', () => {
    it('removes the membership only: the contact stays in the directory', async () => {
      const { id } = (await addMember(sandbox, { email: 'leaver@example.com' })).body.result
      const removed = await call(sandbox, 'DELETE', `${members()}/${id}`)
      expect(removed.status).toBe(200)
      expect(await allMembers(sandbox, members())).toEqual([])
      const contact = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${id}`))
      expect(contact.status).toBe(200)
      expect(contact.body.result.mailingListMembership).toEqual({})
    })

    it('answers 404 SANDBOX_NOT_A_MEMBER for a non-member and an unknown contact', async () => {
      const { id } = (await addMember(sandbox, { email: 'once@example.com' })).body.result
      await call(sandbox, 'DELETE', `${members()}/${id}`)
      for (const contactId of [id, 'CID_seeded0000001', 'CID_unknown']) {
        const reply = await call(sandbox, 'DELETE', `${members()}/${contactId}`)
        expect([contactId, reply.status]).toEqual([contactId, 404])
        expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_NOT_A_MEMBER', expect.stringContaining(contactId))
      }
    })

    it('answers 404 SANDBOX_LIST_NOT_FOUND for an unknown list', async () => {
      const reply = await call(sandbox, 'DELETE', `${members('CG_unknown')}/CID_seeded0000001`)
      expect(reply.status).toBe(404)
      expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_LIST_NOT_FOUND')
    })
  })

  describe('membership on the contact, contact delete and erasure', () => {
    it('shows mailingListMembership keyed by list id on GET contact', async () => {
      const second = (await call(sandbox, 'POST', lists(), { name: 'VIP' })).body.result.id
      const inFirst = (await addMember(sandbox, { email: 'both@example.com' })).body.result
      const inSecond = (await addMember(sandbox, { email: 'both@example.com' }, second)).body.result
      expect(inSecond.id).toBe(inFirst.id)
      const contact = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${inFirst.id}`))
      expect(contact.body.result.mailingListMembership).toEqual({
        [ML]: { name: 'Customers', contactLookupId: inFirst.contactLookupId, unsubscribed: false },
        [second]: { name: 'VIP', contactLookupId: inSecond.contactLookupId, unsubscribed: false }
      })
    })

    it('drops the memberships of a deleted contact', async () => {
      const { id } = (await addMember(sandbox, { email: 'gone@example.com' })).body.result
      expect((await call(sandbox, 'DELETE', api(`/directories/${DIR}/contacts/${id}`))).status).toBe(200)
      expect(await allMembers(sandbox, members())).toEqual([])
      expect((await call(sandbox, 'GET', `${lists()}/${ML}`)).body.result.contactCount).toBe(0)
    })

    it('counts and removes the memberships of erased contacts', async () => {
      await addMember(sandbox, { email: 'erase@example.com' })
      const erase = api('/op-erase-personal-data')
      const counted = await call(sandbox, 'POST', erase, { emails: ['erase@example.com'], searchOnly: true })
      expect(counted.status).toBe(200)
      expect((await state(sandbox)).directories[0].mailingLists[0].members).toHaveLength(1)
      await call(sandbox, 'POST', erase, { emails: ['erase@example.com'] })
      const requests = (await state(sandbox)).erasureRequests
      expect(requests.map((r: { found: unknown }) => r.found)).toEqual([
        { contacts: 1, transactions: 0, mailingListMemberships: 1 },
        { contacts: 1, transactions: 0, mailingListMemberships: 1 }
      ])
      expect(requests[0].removed.mailingListMemberships).toBe(0)
      expect(requests[1].removed.mailingListMemberships).toBe(1)
      expect((await state(sandbox)).directories[0].mailingLists[0].members).toEqual([])
    })
  })

  it('shows every list with its members in GET /__sandbox/state', async () => {
    const { id, contactLookupId } = (await addMember(sandbox, { email: 'shown@example.com' })).body.result
    const [list] = (await state(sandbox)).directories[0].mailingLists
    expect(list).toEqual({
      mailingListId: ML,
      name: 'Customers',
      ownerId: 'UR_sandbox',
      creationDate: expect.any(Number),
      lastModifiedDate: expect.any(Number),
      contactCount: 1,
      members: [{ contactId: id, contactLookupId }]
    })
  })
})

describe('sandbox mailing lists: index lag, limits, faults, scopes, seed', () => {
  let sandbox: Sandbox | undefined
  afterEach(async () => {
    await sandbox?.close()
    sandbox = undefined
  })

  it('lists a new member, and its membership on GET contact, only once indexLagMs has passed', async () => {
    // The clock stands still but for the test's advance: a slow machine cannot let the lag pass early.
    sandbox = await start({ faults: { indexLagMs: 1000 }, clock: stillClock().clock })
    const { id } = (await addMember(sandbox, { email: 'seeded@example.com' })).body.result
    const contactPath = api(`/directories/${DIR}/contacts/${id}`)
    expect(await allMembers(sandbox, members())).toEqual([])
    expect((await call(sandbox, 'GET', contactPath)).body.result.mailingListMembership).toEqual({})
    expect((await call(sandbox, 'GET', `${lists()}/${ML}`)).body.result.contactCount).toBe(1)
    // Removal is not delayed: it reaches a member the index does not list yet.
    sandbox.clock.advance(1000)
    expect((await allMembers(sandbox, members())).map((m) => m.contactId)).toEqual([id])
    expect(Object.keys((await call(sandbox, 'GET', contactPath)).body.result.mailingListMembership)).toEqual([ML])
  })

  it('lets a DELETE reach a member the index does not list yet', async () => {
    sandbox = await start({ faults: { indexLagMs: 1000 }, clock: stillClock().clock })
    const { id } = (await addMember(sandbox, { email: 'quick@example.com' })).body.result
    expect((await call(sandbox, 'DELETE', `${members()}/${id}`)).status).toBe(200)
    sandbox.clock.advance(1000)
    expect(await allMembers(sandbox, members())).toEqual([])
  })

  it('answers 429 past 500 list-contact adds a minute, and counts the adds by endpoint', async () => {
    // A clock standing still: the bucket does not refill while the 501 calls are made.
    sandbox = await start({ clock: stillClock().clock })
    const { store } = sandbox
    const replies = await Promise.all(
      Array.from({ length: 501 }, (_, i) => addMember(sandbox!, { email: `rl${i}@example.com` }))
    )
    const statuses = replies.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(500)
    expect(statuses.filter((s) => s === 429)).toHaveLength(1)
    expect(sandbox.stats().byEndpoint['mailinglistContacts.create']).toEqual({ 200: 500, 429: 1 })
    expect(store.mailingLists(DIR).get(ML).contactCount).toBe(500)
  })

  it('injects faults on the list routes like on any endpoint: a 503 stores nothing', async () => {
    sandbox = await start({ faults: { rates: { 'mailinglistContacts.create': { status503: 1 } } } })
    const reply = await addMember(sandbox, { email: 'fault@example.com' })
    expect(reply.status).toBe(503)
    expectQualtricsError(reply.body, '503 - Service Unavailable', 'SANDBOX_FAULT')
    expect(await contactsIn(sandbox)).toHaveLength(1)
    expect((await call(sandbox, 'POST', lists(), { name: 'ok' })).status).toBe(200)
  })

  it('needs read:mailing_lists to read lists and members and write:mailing_list_contacts to change them', async () => {
    const seed = testSeed({
      clients: [
        {
          clientId: 'c',
          clientSecret: 's',
          userId: 'UR_alice',
          scopes: ['read:mailing_lists', 'write:mailing_list_contacts', 'manage:directory_contacts']
        }
      ]
    })
    seed.directories[0].mailingLists = [{ mailingListId: ML, members: ['CID_seeded0000001'] }]
    sandbox = await start({ seed })
    const token = (scope: string) => accessToken(sandbox!, scope, 'c', 's')
    const routes: [string, string, unknown, string][] = [
      ['POST', lists(), { name: 'x' }, 'write:mailing_list_contacts'],
      ['GET', `${lists()}/${ML}`, undefined, 'read:mailing_lists'],
      ['GET', members(), undefined, 'read:mailing_lists'],
      ['POST', members(), { email: 'scoped@example.com' }, 'write:mailing_list_contacts'],
      ['DELETE', `${members()}/CID_seeded0000001`, undefined, 'write:mailing_list_contacts']
    ]
    for (const [method, path, body, scope] of routes) {
      const refused = await call(sandbox, method, path, body, bearer(await token('manage:directory_contacts')))
      expect([method, path, refused.status]).toEqual([method, path, 403])
      expectQualtricsError(refused.body, '403 - Forbidden', 'SANDBOX_SCOPE', expect.stringContaining(scope))
      const allowed = await call(sandbox, method, path, body, bearer(await token(scope)))
      expect([method, path, allowed.status]).toEqual([method, path, 200])
    }
  })

  it('seeds members, listed at once even with an index lag', async () => {
    const seed = testSeed()
    seed.directories[0].mailingLists = [{ mailingListId: ML, name: 'Customers', members: ['CID_seeded0000001'] }]
    sandbox = await start({ seed, faults: { indexLagMs: 60_000 } })
    expect((await allMembers(sandbox, members())).map((m) => m.contactId)).toEqual(['CID_seeded0000001'])
    expect((await state(sandbox)).directories[0].mailingLists[0].members).toEqual([
      { contactId: 'CID_seeded0000001', contactLookupId: expect.stringMatching(/^CGC_/) }
    ])
  })
})
