import { ApiError, SandboxStore } from '../../src/sandbox'
import { validateContactBody } from '../../src/sandbox/contact-fields'
import { DIR, DIR_EXTREF, DIR_PLAIN, MAIN_DIRECTORY_LISTING, ML, TOKEN, USER_NAME, WORKFLOW, testSeed } from './helpers'

function apiError(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected an ApiError')
}

describe('SandboxStore', () => {
  let store: SandboxStore
  beforeEach(() => {
    store = new SandboxStore(testSeed())
  })

  describe('users and directories', () => {
    it('finds a user by the whole token only', () => {
      expect(store.userFor(TOKEN)).toMatchObject({ userName: USER_NAME, userId: 'UR_alice', brandId: 'brand-a' })
      expect(store.userFor(TOKEN.slice(0, -1))).toBeUndefined()
      expect(store.userFor(`${TOKEN} `)).toBeUndefined()
      expect(store.userFor(undefined)).toBeUndefined()
      expect(store.userFor('')).toBeUndefined()
    })

    it('gives a user without ids a UR_ id and the sandbox brand', () => {
      const bare = new SandboxStore({ users: [{ token: 't', userName: 'u' }], directories: [], workflows: [] })
      expect(bare.userFor('t')?.userId).toMatch(/^UR_[0-9a-f]{15}$/)
      expect(bare.userFor('t')?.brandId).toBe('sandbox-brand')
    })

    it('lists directories with every deduplication flag spelled out', () => {
      const [main, extref, plain] = store.listDirectories()
      expect(main).toEqual(MAIN_DIRECTORY_LISTING)
      expect(extref.deduplicationCriteria).toMatchObject({ externalDataReference: true, email: true, phone: false })
      expect(plain).toMatchObject({ directoryId: DIR_PLAIN, name: DIR_PLAIN, isDefault: false, contactCount: 0 })
    })

    it('lists mailing lists with epoch-millisecond dates, and 404s an unknown directory', () => {
      const [ml] = store.listMailingLists(DIR)
      expect(ml).toMatchObject({ mailingListId: ML, name: 'Customers' })
      expect(typeof ml.creationDate).toBe('number')
      expect(ml.creationDate).toBeGreaterThan(Date.UTC(2020, 0, 1))
      const error = apiError(() => store.listMailingLists('POOL_nope'))
      expect(error.status).toBe(404)
      expect(error.message).toContain('POOL_nope')
    })

    it('refuses a seed that repeats a contact id', () => {
      const seed = testSeed()
      seed.directories[2].contacts = [
        { id: 'CID_twice', email: 'a@example.com' },
        { id: 'CID_twice', email: 'b@example.com' }
      ]
      expect(() => new SandboxStore(seed)).toThrow('contact CID_twice appears twice in directory POOL_test000000003')
    })
  })

  describe('contacts', () => {
    it('creates a contact with a CID_ id and stores its fields', () => {
      const { id, deduplicated } = store.createContact(DIR, {
        email: 'new@example.com',
        firstName: 'New',
        unsubscribed: false,
        embeddedData: { plan: 'pro', seats: 3, trial: true }
      })
      expect(id).toMatch(/^CID_[0-9a-f]{15}$/)
      expect(deduplicated).toBe(false)
      expect(store.getContact(DIR, id)).toMatchObject({
        id,
        email: 'new@example.com',
        firstName: 'New',
        unsubscribed: false,
        embeddedData: { plan: 'pro', seats: 3, trial: true }
      })
      expect(store.listDirectories()[0].contactCount).toBe(2)
    })

    it('deduplicates on email case-insensitively, updating fields and merging embedded data', () => {
      const first = store.createContact(DIR, {
        email: 'Dup@Example.com',
        firstName: 'One',
        embeddedData: { a: '1', keep: 'yes' }
      })
      const second = store.createContact(DIR, {
        email: 'dup@example.COM',
        lastName: 'Two',
        embeddedData: { b: '2', a: 'changed' }
      })
      expect(second).toEqual({ id: first.id, deduplicated: true })
      expect(store.getContact(DIR, first.id)).toMatchObject({
        email: 'dup@example.COM',
        firstName: 'One',
        lastName: 'Two',
        embeddedData: { a: 'changed', b: '2', keep: 'yes' }
      })
      expect(store.listDirectories()[0].contactCount).toBe(2)
    })

    it('does not deduplicate a contact that lacks the rule field', () => {
      const a = store.createContact(DIR, { firstName: 'NoEmail' })
      const b = store.createContact(DIR, { firstName: 'NoEmail' })
      expect(a.id).not.toBe(b.id)
      expect(b.deduplicated).toBe(false)
    })

    it('needs every field of a multi-field rule to match', () => {
      const base = store.createContact(DIR_EXTREF, { extRef: 'u-1', email: 'x@example.com' })
      expect(store.createContact(DIR_EXTREF, { extRef: 'U-1', email: 'X@example.com' }).id).toBe(base.id)
      const otherEmail = store.createContact(DIR_EXTREF, { extRef: 'u-1', email: 'y@example.com' })
      expect(otherEmail.id).not.toBe(base.id)
      const onlyExtRef = store.createContact(DIR_EXTREF, { extRef: 'u-1' })
      expect(onlyExtRef.deduplicated).toBe(false)
      expect(store.listDirectories()[1].contactCount).toBe(3)
    })

    it('never deduplicates in a directory without criteria', () => {
      const a = store.createContact(DIR_PLAIN, { email: 'same@example.com' })
      const b = store.createContact(DIR_PLAIN, { email: 'same@example.com' })
      expect(a.id).not.toBe(b.id)
    })

    it('updates a contact and keeps the search index in step', () => {
      const { id } = store.createContact(DIR, { email: 'before@example.com' })
      store.updateContact(DIR, id, { email: 'after@example.com', embeddedData: { k: 'v' } })
      expect(store.searchContacts(DIR, [{ filterType: 'email', value: 'before@example.com' }])).toEqual([])
      expect(store.searchContacts(DIR, [{ filterType: 'email', value: 'AFTER@example.com' }]).map((c) => c.id)).toEqual(
        [id]
      )
      expect(store.getContact(DIR, id).embeddedData).toEqual({ k: 'v' })
    })

    it('404s an unknown contact or directory', () => {
      expect(apiError(() => store.getContact(DIR, 'CID_nope'))).toMatchObject({ status: 404 })
      expect(apiError(() => store.updateContact(DIR, 'CID_nope', { firstName: 'x' }))).toMatchObject({ status: 404 })
      expect(apiError(() => store.createContact('POOL_nope', { email: 'a@b.c' }))).toMatchObject({ status: 404 })
    })

    it.each([
      ['a non-object body', [], 'must be a JSON object'],
      ['an unknown field', { emial: 'x@example.com' }, 'Unrecognized field "emial"'],
      ['a non-string text field', { email: 42 }, 'Field "email" must be a string'],
      ['a non-boolean unsubscribed', { unsubscribed: 'yes' }, 'Field "unsubscribed" must be a boolean'],
      ['a non-object embeddedData', { embeddedData: 'x' }, 'Field "embeddedData" must be an object'],
      ['a nested embedded value', { embeddedData: { a: { b: 1 } } }, 'Embedded data "a" must be a string'],
      ['an embedded name over 200 characters', { embeddedData: { ['n'.repeat(201)]: 'v' } }, 'over 200 characters'],
      ['an embedded value over 1024 characters', { embeddedData: { long: 'v'.repeat(1025) } }, 'over 1024 characters']
    ])('refuses %s with a 400 and stores nothing', (_name, body, message) => {
      const error = apiError(() => store.createContact(DIR, body))
      expect(error.status).toBe(400)
      expect(error.message).toContain(message)
      expect(store.listDirectories()[0].contactCount).toBe(1)
    })

    it('counts embedded-data limits in characters, so 200 and 1024 are allowed', () => {
      expect(() => validateContactBody({ embeddedData: { ['n'.repeat(200)]: '😀'.repeat(1024) } })).not.toThrow()
    })

    it('refuses an invalid update without changing the contact', () => {
      const id = 'CID_seeded0000001'
      expect(apiError(() => store.updateContact(DIR, id, { email: 'x@example.com', bogus: 1 })).status).toBe(400)
      expect(store.getContact(DIR, id).email).toBe('seeded@example.com')
    })
  })

  describe('search', () => {
    beforeEach(() => {
      store.createContact(DIR_PLAIN, { email: 'a@example.com', lastName: 'Smith', extRef: 'r1' })
      store.createContact(DIR_PLAIN, { email: 'b@example.com', lastName: 'SMITH', extRef: 'r2' })
      store.createContact(DIR_PLAIN, { email: 'c@example.com', lastName: 'Jones', extRef: 'r1' })
    })

    it('matches eq case-insensitively, in creation order', () => {
      const found = store.searchContacts(DIR_PLAIN, [{ filterType: 'lastName', value: 'smith' }])
      expect(found.map((c) => c.email)).toEqual(['a@example.com', 'b@example.com'])
    })

    it('ANDs several filters', () => {
      const found = store.searchContacts(DIR_PLAIN, [
        { filterType: 'extRef', value: 'R1' },
        { filterType: 'lastName', value: 'jones' }
      ])
      expect(found.map((c) => c.email)).toEqual(['c@example.com'])
      expect(
        store.searchContacts(DIR_PLAIN, [
          { filterType: 'extRef', value: 'r2' },
          { filterType: 'lastName', value: 'jones' }
        ])
      ).toEqual([])
    })
  })

  describe('transactions', () => {
    it('creates the valid entries and explains the others', () => {
      const { createdTransactions, unprocessedTransactions } = store.createTransactions(DIR, {
        good: {
          contactId: 'CID_seeded0000001',
          mailingListId: ML,
          transactionDate: '2026-01-31 23:59:59',
          data: { order: 'A1', total: 12.5, gift: false }
        },
        noContact: { contactId: 'CID_nope', mailingListId: ML, transactionDate: '2026-01-01 00:00:00' },
        badMonth: { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-13-01 00:00:00' },
        iso: { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-01-01T00:00:00Z' },
        feb30: { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-02-30 00:00:00' },
        noList: { contactId: 'CID_seeded0000001', mailingListId: 'CG_nope', transactionDate: '2026-01-01 00:00:00' },
        nested: {
          contactId: 'CID_seeded0000001',
          mailingListId: ML,
          transactionDate: '2026-01-01 00:00:00',
          data: { items: [1, 2] }
        },
        extra: {
          contactId: 'CID_seeded0000001',
          mailingListId: ML,
          transactionDate: '2026-01-01 00:00:00',
          note: 'x'
        },
        notObject: 'x'
      })
      expect(Object.keys(createdTransactions)).toEqual(['good'])
      expect(createdTransactions.good.id).toMatch(/^CTR_[0-9a-f]{15}$/)
      expect(unprocessedTransactions).toEqual({
        noContact: {
          error: 'INVALID_TRANSACTION',
          errorMessage: `Contact CID_nope does not exist in directory ${DIR}.`
        },
        badMonth: expect.objectContaining({ errorMessage: expect.stringContaining('"2026-13-01 00:00:00"') }),
        iso: expect.objectContaining({ errorMessage: expect.stringContaining('YYYY-MM-DD HH:MM:SS') }),
        feb30: expect.objectContaining({ errorMessage: expect.stringContaining('2026-02-30') }),
        noList: expect.objectContaining({ errorMessage: `Mailing list CG_nope does not exist in directory ${DIR}.` }),
        nested: expect.objectContaining({
          errorMessage: 'Transaction data "items" must be a string, number or boolean.'
        }),
        extra: expect.objectContaining({ errorMessage: 'Unrecognized field "note".' }),
        notObject: expect.objectContaining({ errorMessage: 'The transaction must be an object.' })
      })
      const stored = store.snapshot().directories[0].transactions
      expect(stored).toHaveLength(1)
      expect(stored[0]).toMatchObject({
        key: 'good',
        contactId: 'CID_seeded0000001',
        transactionDate: '2026-01-31 23:59:59',
        data: { order: 'A1', total: 12.5, gift: false }
      })
    })

    it('refuses a contact from another directory', () => {
      const { id } = store.createContact(DIR_PLAIN, { email: 'elsewhere@example.com' })
      const { unprocessedTransactions } = store.createTransactions(DIR, {
        k: { contactId: id, mailingListId: ML, transactionDate: '2026-01-01 00:00:00' }
      })
      expect(unprocessedTransactions.k.errorMessage).toContain(id)
    })

    it.each([[{}], [[]], [undefined], ['text']])('refuses a body of %p with 400', (body) => {
      const error = apiError(() => store.createTransactions(DIR, body))
      expect(error.status).toBe(400)
      expect(error.message).toContain('non-empty object')
    })
  })

  describe('workflow runs and the snapshot', () => {
    it('records runs, marks lost responses, and never shows a token', () => {
      const run = store.recordWorkflowRun({
        urlTokenId: WORKFLOW,
        auth: 'Basic',
        userName: USER_NAME,
        payload: { event: 'x' }
      })
      expect(run.id).toMatch(/^RUN_/)
      store.markResponseLost(new Set([run.id]))
      const snapshot = store.snapshot()
      expect(snapshot.workflowRuns).toEqual([expect.objectContaining({ id: run.id, responseLost: true })])
      expect(snapshot.workflows).toEqual([{ urlTokenId: WORKFLOW, runs: 1 }])
      expect(snapshot.users).toEqual([
        { userName: USER_NAME, userId: 'UR_alice', brandId: 'brand-a', brandAdmin: true },
        { userName: 'bob@example.com', userId: 'UR_bob', brandId: 'brand-b', brandAdmin: false }
      ])
      expect(JSON.stringify(snapshot)).not.toContain(TOKEN)
      expect(store.hasWorkflow(WORKFLOW)).toBe(true)
      expect(store.hasWorkflow('other')).toBe(false)
    })
  })
})
