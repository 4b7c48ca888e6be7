import { ApiError, SandboxStore } from '../../src/sandbox'
import type { Sandbox } from '../../src/sandbox'
import { IMPORT_RECORDS_PER_SECOND, IMPORT_START_DELAY_MS } from '../../src/sandbox/imports'
import { parseImportRequest, parseTransactionBatchRequest } from '../../src/sandbox/import-requests'
import {
  accessToken,
  api,
  bearer,
  call,
  DIR,
  DIR_PLAIN,
  expectQualtricsError,
  ML,
  start,
  state,
  stillClock,
  testSeed
} from './helpers'

const FIELDS = ['orderId', 'transactionDate']
const record = (email: string, extra: Record<string, unknown> = {}) => ({
  email,
  firstName: 'Imported',
  transactionData: { orderId: `o-${email}`, transactionDate: '2024-03-01T10:15:30Z' },
  ...extra
})

function refusal(fn: () => unknown): { status: number; message: string } | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, message: error.message }
    throw error
  }
  return undefined
}

/** A record's due moment on the sandbox clock, counted from the job's creation at 0. */
const dueAt = (records: number) => IMPORT_START_DELAY_MS + (records * 1000) / IMPORT_RECORDS_PER_SECOND

describe('imports in the store (a manual sandbox clock)', () => {
  let now: number
  let store: SandboxStore
  const batch = () => store.imports.createBatch(DIR, { transactionIds: [], creationDate: '2026-12-01T10:00:00' }).id
  const startImport = (contacts: unknown[], directoryId = DIR, mailingListId = ML, fields = FIELDS) =>
    store.imports.start(
      directoryId,
      mailingListId,
      parseImportRequest({ transactionMeta: { batchId: batch(), fields }, contacts })
    )
  const directory = () => store.snapshot().directories.find((d) => d.directoryId === DIR)!

  beforeEach(() => {
    now = 0
    store = new SandboxStore(testSeed(), { now: () => now })
  })

  it('moves a job through its records over the clock: nothing before the start delay, then a steady pace', () => {
    const job = startImport(Array.from({ length: 10 }, (_, i) => record(`person${i}@example.com`)))
    const status = () => store.imports.status(DIR, ML, job.importId)
    expect(status()).toMatchObject({ status: 'inProgress', percentComplete: 0, contacts: { count: { added: 0 } } })
    now = IMPORT_START_DELAY_MS - 1
    expect(status().percentComplete).toBe(0)
    now = dueAt(4)
    expect(status()).toMatchObject({ status: 'inProgress', percentComplete: 40, contacts: { count: { added: 4 } } })
    expect(directory().contacts).toHaveLength(1 + 4)
    now = dueAt(10)
    expect(status()).toEqual({
      status: 'complete',
      percentComplete: 100,
      contacts: { count: { added: 10, updated: 0, failed: 0 } },
      transactions: { count: { created: 10 } },
      invalidEmails: []
    })
  })

  it('deduplicates as a contact create does: a matched contact is updated and gains another transaction', () => {
    const job = startImport([
      record('SEEDED@example.com', { lastName: 'Updated' }),
      record('new@example.com'),
      record('New@Example.com', { transactionData: { orderId: 'second', transactionDate: '2024-03-02T00:00:00Z' } })
    ])
    now = dueAt(3)
    expect(store.imports.status(DIR, ML, job.importId).contacts.count).toEqual({ added: 1, updated: 2, failed: 0 })
    const { contacts, transactions } = directory()
    expect(contacts).toHaveLength(2)
    expect(contacts.find((c) => c.id === 'CID_seeded0000001')).toMatchObject({ lastName: 'Updated' })
    // The second record matched the first (case-insensitively) and updated its email as given.
    const newId = contacts.find((c) => c.email?.toLowerCase() === 'new@example.com')!.id
    expect(transactions.filter((t) => t.contactId === newId).map((t) => t.data.orderId)).toEqual([
      'o-new@example.com',
      'second'
    ])
    expect(transactions.filter((t) => t.contactId === 'CID_seeded0000001')).toHaveLength(1)
  })

  it('dates each transaction from transactionData.transactionDate, keeps it in the import batch, lists the contact', () => {
    const job = startImport([record('dated@example.com')])
    now = dueAt(1)
    const [transaction] = directory().transactions
    expect(transaction).toMatchObject({
      mailingListId: ML,
      transactionDate: '2024-03-01 10:15:30',
      data: { orderId: 'o-dated@example.com' }
    })
    expect(transaction.data).not.toHaveProperty('transactionDate')
    const snapshot = store.snapshot()
    expect(snapshot.transactionBatches.find((b) => b.id === job.batchId)?.transactionIds).toEqual([transaction.id])
    expect(snapshot.imports[0]).toMatchObject({
      importId: job.importId,
      status: 'complete',
      contactIds: [transaction.contactId]
    })
  })

  it('makes every imported contact, new or matched, a member of the mailing list', () => {
    const job = startImport([record('seeded@example.com'), record('member@example.com')])
    now = dueAt(2)
    store.imports.advance()
    const [seededId, newId] = store.snapshot().imports[0].contactIds
    expect(seededId).toBe('CID_seeded0000001')
    for (const contactId of [seededId, newId]) {
      expect(Object.keys(store.getContact(DIR, contactId).mailingListMembership)).toEqual([ML])
    }
    expect(job.importId).toMatch(/^PGR_/)
  })

  it('lists records that break a rule in contacts.unprocessed (by index) and imports the others', () => {
    const job = startImport([
      'not an object',
      record('ok@example.com'),
      record('a@example.com', { transactionData: 'not an object' }),
      record('b@example.com', { transactionData: { unlisted: 1 } }),
      record('c@example.com', { transactionData: { orderId: { nested: true } } }),
      record('d@example.com', { embeddedData: { long: 'x'.repeat(1025) } }),
      record('e@example.com', { phone: 5550100 }),
      record('f@example.com', { transactionData: { transactionDate: '2024-02-30T10:00:00Z' } }),
      record('g@example.com', { surname: 'unknown field' })
    ])
    expect(job.unprocessed).toEqual([0, 2, 3, 4, 5, 6, 7, 8])
    now = dueAt(1)
    expect(store.imports.status(DIR, ML, job.importId)).toMatchObject({
      status: 'complete',
      contacts: { count: { added: 1, updated: 0, failed: 0 } }
    })
  })

  it('counts as failed, as it processes it, a plainly invalid email (named)', () => {
    const job = startImport([record('not-an-address')])
    now = dueAt(1)
    expect(store.imports.status(DIR, ML, job.importId)).toMatchObject({
      status: 'complete',
      contacts: { count: { added: 0, updated: 0, failed: 1 } },
      transactions: { count: { created: 0 } },
      invalidEmails: ['not-an-address']
    })
  })

  it('creates a new contact, as a contact create does, for a record no merge rule applies to: a duplicate', () => {
    // DIR deduplicates on email; without one, no rule applies and the seeded "Seeded" gains a twin.
    const job = startImport([{ firstName: 'Seeded', transactionData: { orderId: 'x' } }])
    now = dueAt(1)
    expect(store.imports.status(DIR, ML, job.importId)).toMatchObject({
      status: 'complete',
      contacts: { count: { added: 1, updated: 0, failed: 0 } },
      transactions: { count: { created: 1 } }
    })
    const twins = directory().contacts.filter((c) => c.firstName === 'Seeded')
    expect(twins).toHaveLength(2)
    const [newId] = store.snapshot().imports[0].contactIds
    expect(newId).not.toBe('CID_seeded0000001')
    expect(Object.keys(store.getContact(DIR, newId).mailingListMembership)).toEqual([ML])
  })

  it('creates a contact lacking merge fields where the directory does not deduplicate', () => {
    const plainBatch = store.imports.createBatch(DIR_PLAIN, { transactionIds: [], creationDate: '2026-12-01T10:00:00' })
    store.imports.start(
      DIR_PLAIN,
      'CG_unknown',
      parseImportRequest({ transactionMeta: { batchId: plainBatch.id, fields: [] }, contacts: [{ firstName: 'X' }] })
    )
    // DIR_PLAIN has no mailing list at all: the job completes with every count 0, as Qualtrics documents.
    now = dueAt(1)
    expect(store.snapshot().imports[0]).toMatchObject({ status: 'complete', targetMissing: 'mailing list CG_unknown' })
  })

  it.each([
    ['directory', 'POOL_missing', ML],
    ['mailing list', DIR, 'CG_missing']
  ])('accepts an import into a missing %s and completes it with every count 0', (_what, directoryId, mailingListId) => {
    const job = startImport([record('x@example.com')], directoryId, mailingListId)
    now = dueAt(1)
    expect(store.imports.status(directoryId, mailingListId, job.importId)).toMatchObject({
      status: 'complete',
      percentComplete: 100,
      contacts: { count: { added: 0, updated: 0, failed: 0 } }
    })
  })

  it('completes an import naming a transaction batch of another directory with every count 0', () => {
    const other = store.imports.createBatch(DIR_PLAIN, { transactionIds: [], creationDate: '2026-12-01T10:00:00' })
    const job = store.imports.start(
      DIR,
      ML,
      parseImportRequest({
        transactionMeta: { batchId: other.id, fields: FIELDS },
        contacts: [record('y@example.com')]
      })
    )
    now = dueAt(1)
    expect(store.imports.status(DIR, ML, job.importId).contacts.count).toEqual({ added: 0, updated: 0, failed: 0 })
    expect(directory().contacts).toHaveLength(1)
  })

  it('answers 404 for an import id it never started, or one started for another list', () => {
    const job = startImport([record('z@example.com')])
    expect(refusal(() => store.imports.status(DIR, ML, 'PGR_nope'))?.status).toBe(404)
    expect(refusal(() => store.imports.status(DIR, 'CG_other', job.importId))?.status).toBe(404)
  })

  it('keeps an imported contact out of search for the index lag from when it was processed, not when seen', () => {
    store.indexLagMs = 500
    startImport([record('lagged@example.com')])
    const search = () => store.searchContacts(DIR, [{ filterType: 'email', value: 'lagged@example.com' }])
    // Nobody asks until well after the record was due: it was still created at its own moment.
    now = dueAt(1) + 400
    store.imports.advance()
    expect(search()).toEqual([])
    now = dueAt(1) + 500
    expect(search()).toHaveLength(1)
  })
})

describe('import requests', () => {
  it.each([
    ['a body that is not an object', [], /JSON object/],
    ['no contacts', { contacts: [] }, /non-empty list/],
    ['more than 10,000 contacts', { contacts: Array.from({ length: 10_001 }, () => ({})) }, /at most 10000/],
    ['transactionData without transactionMeta', { contacts: [record('a@example.com')] }, /transactionMeta is required/],
    ['transactionMeta without a batch', { transactionMeta: { fields: [] }, contacts: [{}] }, /batchId/],
    [
      'transactionMeta.fields not a list',
      { transactionMeta: { batchId: 'BT_1', fields: 'x' }, contacts: [{}] },
      /fields/
    ],
    ['an unknown top-level key', { contacts: [{}], extra: 1 }, /Unrecognized field "extra"/]
  ])('refuses %s with a 400', (_what, body, message) => {
    const refused = refusal(() => parseImportRequest(body))
    expect(refused?.status).toBe(400)
    expect(refused?.message).toMatch(message)
  })

  it('takes a transaction batch dated in 24-hour UTC, as creationDate or createdDate, and refuses a time zone', () => {
    expect(parseTransactionBatchRequest({ creationDate: '2026-12-01T10:00:00' })).toEqual({
      transactionIds: [],
      creationDate: '2026-12-01T10:00:00'
    })
    expect(parseTransactionBatchRequest({ createdDate: '2026-12-01 10:00:00', transactionIds: [] }).creationDate).toBe(
      '2026-12-01T10:00:00'
    )
    expect(refusal(() => parseTransactionBatchRequest({ creationDate: '2026-12-01T10:00:00Z' }))?.message).toMatch(
      /no time zone/
    )
    expect(refusal(() => parseTransactionBatchRequest({}))?.status).toBe(400)
  })
})

describe('imports over HTTP', () => {
  let sandbox: Sandbox
  afterEach(() => sandbox.close())

  const createBatch = async (directoryId = DIR) =>
    (
      await call(sandbox, 'POST', api(`/directories/${directoryId}/transactionbatches`), {
        transactionIds: [],
        creationDate: '2026-12-01T10:00:00'
      })
    ).body.result.id as string
  const importPath = (mailingListId = ML) =>
    api(`/directories/${DIR}/mailinglists/${mailingListId}/transactioncontacts`)
  const startImport = async (contacts: unknown[], headers?: Record<string, string>) =>
    call(
      sandbox,
      'POST',
      importPath(),
      { transactionMeta: { batchId: await createBatch(), fields: FIELDS }, contacts },
      headers
    )

  it('answers the create with the import id, unprocessed indexes and a tracking URL the status is read at', async () => {
    sandbox = await start()
    const created = await startImport([record('http@example.com'), 'bad'])
    expect(created.status).toBe(200)
    const { id, contacts, tracking, status } = created.body.result
    expect(id).toMatch(/^PGR_/)
    expect(contacts).toEqual({ unprocessed: [1] })
    expect(status).toBe('inProgress')
    expect(tracking.url).toBe(`${sandbox.url}${importPath()}/${id}`)
    sandbox.clock.advance(dueAt(1))
    const polled = await call(sandbox, 'GET', tracking.url)
    expect(polled.body.result).toMatchObject({ status: 'complete', contacts: { count: { added: 1 } } })
    const snapshot = await state(sandbox)
    expect(snapshot.imports).toHaveLength(1)
    expect(snapshot.transactionBatches[0].transactionIds).toHaveLength(1)
  })

  it('limits import creation to 100 a minute per brand', async () => {
    // A clock standing still: the bucket must not refill while a busy machine sends the 101 requests.
    sandbox = await start({ clock: stillClock().clock })
    const batchId = await createBatch()
    const body = { transactionMeta: { batchId, fields: [] }, contacts: [{ email: 'rate@example.com' }] }
    const statuses: number[] = []
    for (let i = 0; i < 101; i++) statuses.push((await call(sandbox, 'POST', importPath(), body)).status)
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true)
    expect(statuses[100]).toBe(429)
  })

  it('refuses a body over 5 MB with a 413', async () => {
    sandbox = await start()
    const big = Array.from({ length: 6000 }, (_, i) => ({
      email: `p${i}@example.com`,
      embeddedData: { pad: 'x'.repeat(1000) }
    }))
    const reply = await call(sandbox, 'POST', importPath(), { contacts: big })
    expect(reply.status).toBe(413)
  })

  it('injects faults on the import endpoints: a 503, and a status answer without the documented fields', async () => {
    sandbox = await start({ faults: { rates: { 'imports.get': { status503: 1 } } } })
    const { id } = (await startImport([record('fault@example.com')])).body.result
    const path = `${importPath()}/${id}`
    expectQualtricsError((await call(sandbox, 'GET', path)).body, '503 - Service Unavailable', 'SANDBOX_FAULT')
    sandbox.setFaults({ rates: { 'imports.get': { malformed: 1 } } })
    const malformed = await call(sandbox, 'GET', path)
    expect(malformed.status).toBe(200)
    expect(malformed.body.result).toEqual({})
    expect(sandbox.stats().faults).toMatchObject({ status503: 1, malformed: 1 })
  })

  it('marks an import whose answer a timeout fault withheld as response-lost', async () => {
    sandbox = await start({ faults: { timeoutHangMs: 10, rates: { 'imports.create': { timeout: 1 } } } })
    await expect(startImport([record('lost@example.com')])).rejects.toThrow()
    expect((await state(sandbox)).imports[0]).toMatchObject({ responseLost: true })
  })

  it('asks a Bearer token for manage:directory_contacts to import, and manage:contact_transactions for a batch', async () => {
    sandbox = await start()
    const token = await accessToken(sandbox, 'read:directories manage:contact_transactions')
    const batch = await call(
      sandbox,
      'POST',
      api(`/directories/${DIR}/transactionbatches`),
      { creationDate: '2026-12-01T10:00:00' },
      bearer(token)
    )
    expect(batch.status).toBe(200)
    const refused = await call(sandbox, 'POST', importPath(), { contacts: [{ email: 'o@example.com' }] }, bearer(token))
    expect(refused.status).toBe(403)
    expect(refused.body.meta.error.errorMessage).toMatch(/manage:directory_contacts/)
  })
})
