import { ApiError, SandboxClock, SandboxStore, startSandbox } from '../../src/sandbox'
import { api, call, contactsIn, createContact, DIR, DIR_PLAIN, ML, start, testSeed, control } from './helpers'
import type { Sandbox } from '../../src/sandbox'

const byEmail = (email: string) => [{ filterType: 'email' as const, value: email }]

function status(fn: () => unknown): number | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return error.status
    throw error
  }
  return undefined
}

describe('index lag in the store (a manual sandbox clock)', () => {
  let now: number
  let store: SandboxStore
  beforeEach(() => {
    now = 0
    store = new SandboxStore(testSeed(), { now: () => now, indexLagMs: 1000 })
  })

  it('hides a new contact from search and GET until it is indexLagMs old, then shows it', () => {
    const { id } = store.createContact(DIR_PLAIN, { email: 'young@example.com' })
    expect(store.searchContacts(DIR_PLAIN, byEmail('young@example.com'))).toEqual([])
    expect(status(() => store.getContact(DIR_PLAIN, id))).toBe(404)
    now = 999
    expect(store.searchContacts(DIR_PLAIN, byEmail('young@example.com'))).toEqual([])
    now = 1000
    expect(store.searchContacts(DIR_PLAIN, byEmail('young@example.com')).map((c) => c.id)).toEqual([id])
    expect(store.getContact(DIR_PLAIN, id).email).toBe('young@example.com')
  })

  it('shows seeded contacts at once', () => {
    expect(store.searchContacts(DIR, byEmail('seeded@example.com')).map((c) => c.id)).toEqual(['CID_seeded0000001'])
  })

  it('shows everything at once with no lag (the default)', () => {
    const plain = new SandboxStore(testSeed(), { now: () => now })
    const { id } = plain.createContact(DIR_PLAIN, { email: 'now@example.com' })
    expect(plain.getContact(DIR_PLAIN, id).id).toBe(id)
    store.createContact(DIR_PLAIN, { email: 'later@example.com' })
    store.indexLagMs = 0
    expect(store.searchContacts(DIR_PLAIN, byEmail('later@example.com'))).toHaveLength(1)
  })

  it('lets writes by id and deduplication see a contact the index does not show yet', () => {
    const { id } = store.createContact(DIR, { email: 'fresh@example.com' })
    // Deduplication merges into the young contact rather than creating a second one.
    expect(store.createContact(DIR, { email: 'FRESH@example.com', firstName: 'F' })).toEqual({ id, deduplicated: true })
    store.updateContact(DIR, id, { lastName: 'L' })
    const transaction = { contactId: id, mailingListId: ML, transactionDate: '2026-11-24 09:00:00' }
    expect(Object.keys(store.createTransactions(DIR, { t1: transaction }).createdTransactions)).toEqual(['t1'])
    expect(store.searchContacts(DIR, byEmail('fresh@example.com'))).toEqual([])
    now = 1000
    expect(store.getContact(DIR, id)).toMatchObject({ firstName: 'F', lastName: 'L' })
  })
})

describe('the sandbox clock', () => {
  it('runs timeScale times faster than real time, plus what is skipped', () => {
    let real = 5000
    const clock = new SandboxClock(60, () => real)
    expect(clock.now()).toBe(0)
    real += 10
    expect(clock.now()).toBe(600)
    clock.advance(400)
    expect(clock.now()).toBe(1000)
    expect(() => clock.advance(-1)).toThrow('only moves forward')
    expect(() => new SandboxClock(0)).toThrow('positive number')
  })

  it('can be given to the sandbox, which then runs on it alone (and not on a time scale besides)', async () => {
    const clock = new SandboxClock(1, () => 0)
    const given = await start({ clock, faults: { indexLagMs: 1000 } })
    try {
      expect(given.clock).toBe(clock)
      await createContact(given, { email: 'still@example.com' }, DIR_PLAIN)
      const search = { filter: { filterType: 'email', comparison: 'eq', value: 'still@example.com' } }
      const found = () => call(given, 'POST', api(`/directories/${DIR_PLAIN}/contacts/search`), search)
      expect((await found()).body.result.elements).toEqual([])
      clock.advance(1000)
      expect((await found()).body.result.elements).toHaveLength(1)
    } finally {
      await given.close()
    }
    expect(() => startSandbox({ clock, timeScale: 60 })).toThrow('timeScale or clock, not both')
  })

  it('shortens the index lag by the time scale: 1,000 ms of lag at 60× is under 17 real ms', () => {
    let real = 0
    const clock = new SandboxClock(60, () => real)
    const store = new SandboxStore(testSeed(), { now: () => clock.now(), indexLagMs: 1000 })
    store.createContact(DIR_PLAIN, { email: 'scaled@example.com' })
    real = 16
    expect(store.searchContacts(DIR_PLAIN, byEmail('scaled@example.com'))).toEqual([])
    real = 17
    expect(store.searchContacts(DIR_PLAIN, byEmail('scaled@example.com'))).toHaveLength(1)
  })
})

describe('index lag over HTTP', () => {
  let sandbox: Sandbox
  afterEach(async () => sandbox?.close())

  const search = (email: string) =>
    call(sandbox, 'POST', api(`/directories/${DIR_PLAIN}/contacts/search`), {
      filter: { filterType: 'email', comparison: 'eq', value: email }
    })

  it('is off unless configured', async () => {
    sandbox = await start()
    const { body } = await createContact(sandbox, { email: 'a@example.com' }, DIR_PLAIN)
    expect((await search('a@example.com')).body.result.elements).toHaveLength(1)
    expect((await call(sandbox, 'GET', api(`/directories/${DIR_PLAIN}/contacts/${body.result.id}`))).status).toBe(200)
  })

  it('answers search with nothing and GET with 404 until the clock has moved past the lag', async () => {
    // An hour of lag: no real wait can pass it during the test, only the clock's advance.
    sandbox = await start({ faults: { indexLagMs: 3_600_000 } })
    const { body } = await createContact(sandbox, { email: 'b@example.com' }, DIR_PLAIN)
    const get = () => call(sandbox, 'GET', api(`/directories/${DIR_PLAIN}/contacts/${body.result.id}`))
    expect((await search('b@example.com')).body.result.elements).toEqual([])
    expect((await get()).status).toBe(404)
    expect(await contactsIn(sandbox, DIR_PLAIN)).toHaveLength(1)
    const advanced = await call(sandbox, 'POST', '/__sandbox/clock', { advanceMs: 3_600_000 }, control(sandbox))
    expect(advanced.body.now).toBeGreaterThanOrEqual(3_600_000)
    expect((await search('b@example.com')).body.result.elements).toHaveLength(1)
    expect((await get()).status).toBe(200)
  })

  it('is set at runtime with PUT /__sandbox/faults, and kept across a reset', async () => {
    sandbox = await start()
    const put = await call(sandbox, 'PUT', '/__sandbox/faults', { indexLagMs: 3_600_000 }, control(sandbox))
    expect(put.body).toEqual({ indexLagMs: 3_600_000 })
    await call(sandbox, 'POST', '/__sandbox/reset', undefined, control(sandbox))
    await createContact(sandbox, { email: 'c@example.com' }, DIR_PLAIN)
    expect((await search('c@example.com')).body.result.elements).toEqual([])
    await call(sandbox, 'PUT', '/__sandbox/faults', {}, control(sandbox))
    expect((await search('c@example.com')).body.result.elements).toHaveLength(1)
  })

  it('refuses a clock advance without a number', async () => {
    sandbox = await start()
    const reply = await call(sandbox, 'POST', '/__sandbox/clock', { advance: 5 }, control(sandbox))
    expect(reply.status).toBe(400)
    expect(reply.body.error).toContain('advanceMs')
  })
})
