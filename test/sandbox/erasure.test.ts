import { SandboxStore } from '../../src/sandbox'
import type { Sandbox } from '../../src/sandbox'
import {
  BOB_CLIENT_ID,
  BOB_CLIENT_SECRET,
  DIR,
  DIR_PLAIN,
  ML,
  OTHER_TOKEN,
  accessToken,
  api,
  bearer,
  call,
  contactsIn,
  createContact,
  expectQualtricsError,
  start,
  state,
  stillClock,
  testSeed
} from './helpers'

const ERASE = api('/op-erase-personal-data')
const search = (email: string) => ({ filter: { filterType: 'email', comparison: 'eq', value: email } })

describe('contact delete and erasure (store level)', () => {
  const alice = () => new SandboxStore(testSeed()).userFor('tok-alice')!

  it('deletes a contact so GET and search miss it, keeps its transactions, and 404s a second time', () => {
    const store = new SandboxStore(testSeed())
    const { id } = store.createContact(DIR, { email: 'gone@example.com' })
    store.createTransactions(DIR, { t: { contactId: id, mailingListId: ML, transactionDate: '2024-01-02 03:04:05' } })
    store.deleteContact(DIR, id)
    expect(() => store.getContact(DIR, id)).toThrow(expect.objectContaining({ status: 404 }))
    expect(store.searchContacts(DIR, [{ filterType: 'email', value: 'gone@example.com' }])).toEqual([])
    expect(store.snapshot().directories[0].transactions).toEqual([expect.objectContaining({ contactId: id })])
    expect(() => store.deleteContact(DIR, id)).toThrow(expect.objectContaining({ status: 404 }))
    // Deduplication no longer finds it either: the same email makes a new contact.
    expect(store.createContact(DIR, { email: 'gone@example.com' })).toEqual({
      id: expect.any(String),
      deduplicated: false
    })
  })

  it('erases matching contacts in every directory, case-insensitively, with their transactions', () => {
    const store = new SandboxStore(testSeed())
    const a = store.createContact(DIR, { email: 'Erase.Me@example.com' }).id
    store.createContact(DIR_PLAIN, { email: 'erase.me@EXAMPLE.com' })
    store.createContact(DIR_PLAIN, { email: 'erase.me@example.com' })
    const kept = store.createContact(DIR, { email: 'keep@example.com' }).id
    const tx = { contactId: a, mailingListId: ML, transactionDate: '2024-01-02 03:04:05' }
    store.createTransactions(DIR, { t1: tx, t2: tx, t3: { ...tx, contactId: kept } })
    const request = store.erase({ emails: ['ERASE.ME@example.com'], searchOnly: false }, alice())
    const counts = { contacts: 3, transactions: 2, mailingListMemberships: 0 }
    expect(request).toMatchObject({ searchOnly: false, status: 'complete', found: counts, removed: counts })
    expect(request.directories).toEqual([DIR, DIR_PLAIN])
    expect(request.requestId).toMatch(/^OP-[0-9A-F]{15}$/)
    expect(store.searchContacts(DIR_PLAIN, [])).toEqual([])
    expect(store.searchContacts(DIR, []).map((c) => c.id)).toEqual(['CID_seeded0000001', kept])
    expect(store.snapshot().directories[0].transactions.map((t) => t.contactId)).toEqual([kept])
    expect(store.listErasureRequests('brand-a')).toEqual([request])
    expect(store.listErasureRequests('brand-b')).toEqual([])
  })

  it('only counts on searchOnly', () => {
    const store = new SandboxStore(testSeed())
    const request = store.erase({ emails: ['seeded@example.com'], searchOnly: true }, alice())
    expect(request.found.contacts).toBe(1)
    expect(request.removed).toEqual({ contacts: 0, transactions: 0, mailingListMemberships: 0 })
    expect(store.getContact(DIR, 'CID_seeded0000001').email).toBe('seeded@example.com')
  })
})

describe('contact delete and erasure over HTTP', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await start()
  })
  afterEach(async () => {
    await sandbox.close()
  })

  it('DELETE answers 200 {meta}, then GET and search miss the contact, and a second DELETE is 404', async () => {
    const { id } = (await createContact(sandbox, { email: 'del@example.com' })).body.result
    const path = api(`/directories/${DIR}/contacts/${id}`)
    const deleted = await call(sandbox, 'DELETE', path)
    expect(deleted.status).toBe(200)
    expect(Object.keys(deleted.body)).toEqual(['meta'])
    expect((await call(sandbox, 'GET', path)).status).toBe(404)
    const found = await call(sandbox, 'POST', api(`/directories/${DIR}/contacts/search`), search('del@example.com'))
    expect(found.body.result.elements).toEqual([])
    const again = await call(sandbox, 'DELETE', path)
    expect(again.status).toBe(404)
    expectQualtricsError(again.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
    expect(sandbox.stats().byEndpoint['contacts.delete']).toEqual({ '200': 1, '404': 1 })
  })

  it('erases across directories for a brand administrator and records it in state', async () => {
    await createContact(sandbox, { email: 'Pat@example.com' })
    await createContact(sandbox, { email: 'pat@example.com' }, DIR_PLAIN)
    const reply = await call(sandbox, 'POST', ERASE, { emails: ['PAT@example.com'] })
    expect(reply.status).toBe(200)
    expect(reply.body.result).toEqual({ requestId: expect.stringMatching(/^OP-/) })
    expect((await contactsIn(sandbox, DIR)).map((c) => c.email)).toEqual(['seeded@example.com'])
    expect(await contactsIn(sandbox, DIR_PLAIN)).toEqual([])
    const listed = await call(sandbox, 'GET', ERASE)
    expect(listed.body.result.elements).toEqual([
      expect.objectContaining({
        requestId: reply.body.result.requestId,
        emails: ['PAT@example.com'],
        status: 'complete',
        removed: { contacts: 2, transactions: 0, mailingListMemberships: 0 }
      })
    ])
    expect((await state(sandbox)).erasureRequests).toEqual(listed.body.result.elements)
  })

  it('leaves contacts alone on searchOnly, and reports what it found', async () => {
    const reply = await call(sandbox, 'POST', ERASE, { emails: ['seeded@example.com'], searchOnly: true })
    expect(reply.status).toBe(200)
    expect(await contactsIn(sandbox, DIR)).toHaveLength(1)
    const [request] = (await state(sandbox)).erasureRequests
    expect(request).toMatchObject({ searchOnly: true, found: { contacts: 1 }, removed: { contacts: 0 } })
  })

  it('refuses anyone but a brand administrator (403), by API token or OAuth client', async () => {
    const byToken = await call(
      sandbox,
      'POST',
      ERASE,
      { emails: ['seeded@example.com'] },
      { 'x-api-token': OTHER_TOKEN }
    )
    expect(byToken.status).toBe(403)
    expectQualtricsError(byToken.body, '403 - Forbidden', 'SANDBOX_FORBIDDEN')
    const token = await accessToken(sandbox, 'manage:erasure_requests', BOB_CLIENT_ID, BOB_CLIENT_SECRET)
    expect((await call(sandbox, 'GET', ERASE, undefined, bearer(token))).status).toBe(403)
    expect(await contactsIn(sandbox, DIR)).toHaveLength(1)
    expect((await state(sandbox)).erasureRequests).toEqual([])
  })

  it('accepts the OAuth client of a brand administrator with manage:erasure_requests', async () => {
    const token = await accessToken(sandbox, 'manage:erasure_requests')
    const reply = await call(sandbox, 'POST', ERASE, { emails: ['seeded@example.com'] }, bearer(token))
    expect(reply.status).toBe(200)
    expect(await contactsIn(sandbox, DIR)).toEqual([])
  })

  it('checks the emails: a non-empty list of at most 100 addresses', async () => {
    const bad = [
      {},
      { emails: [] },
      { emails: 'a@example.com' },
      { emails: [42] },
      { emails: ['not an email'] },
      { emails: Array.from({ length: 101 }, (_, i) => `u${i}@example.com`) },
      { emails: ['a@example.com'], searchOnly: 'yes' },
      { emails: ['a@example.com'], extra: 1 }
    ]
    for (const body of bad) {
      const reply = await call(sandbox, 'POST', ERASE, body)
      expect([body, reply.status]).toEqual([body, 400])
    }
    expect((await state(sandbox)).erasureRequests).toEqual([])
  })

  it('allows 20 erasure requests a minute, then answers 429 until the minute has passed', async () => {
    // A clock standing still: however busy the machine, no allowance refills while the test runs.
    await sandbox.close()
    sandbox = await start({ clock: stillClock().clock })
    const ask = () => call(sandbox, 'POST', ERASE, { emails: ['nobody@example.com'], searchOnly: true })
    for (let i = 0; i < 20; i++) expect((await ask()).status).toBe(200)
    const refused = await ask()
    expect(refused.status).toBe(429)
    expectQualtricsError(refused.body, '429 - Too Many Requests', 'SANDBOX_RATE_LIMIT')
    expect((await call(sandbox, 'GET', ERASE)).status).toBe(200)
    sandbox.clock.advance(60_000)
    expect((await ask()).status).toBe(200)
  })

  it('takes faults like any endpoint', async () => {
    sandbox.setFaults({ rates: { 'erasure.create': { status500: 1 }, 'contacts.delete': { status503: 1 } } })
    expect((await call(sandbox, 'POST', ERASE, { emails: ['seeded@example.com'] })).status).toBe(500)
    expect((await call(sandbox, 'DELETE', api(`/directories/${DIR}/contacts/CID_seeded0000001`))).status).toBe(503)
    expect(await contactsIn(sandbox, DIR)).toHaveLength(1)
  })
})
