import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import type { SandboxSeed, StoredContact, StoredTransaction, WorkflowRun } from '../../src/sandbox'
import { tempFolder } from './tracking/helpers'
import { eachProfile } from '../profiles'

// Everything here is real HTTP on 127.0.0.1: the local server, and the sandbox the destination is pointed at.
const TOKEN = 'e2e-sandbox-token-4411'
const DIRECTORY = 'POOL_e2e000000001'
const MAILING_LIST = 'CG_e2e00000001'
const DIRECTORY_PLAIN = 'POOL_e2e000000002'
const WORKFLOW = '7e57f10w-0000-4000-8000-000000000002'
const SEED: SandboxSeed = {
  users: [{ token: TOKEN, userName: 'e2e@example.com', brandId: 'e2e-brand' }],
  directories: [
    {
      directoryId: DIRECTORY,
      name: 'E2E',
      deduplicationCriteria: { email: true },
      mailingLists: [{ mailingListId: MAILING_LIST, name: 'E2E list' }],
      contacts: [{ id: 'CID_existing0001', extRef: 'known-user', email: 'known@example.com', firstName: 'Kim' }]
    },
    // No deduplication: only the destination's search-then-create stands between an event and a duplicate.
    { directoryId: DIRECTORY_PLAIN, name: 'E2E plain', mailingLists: [{ mailingListId: MAILING_LIST }] }
  ],
  workflows: [{ urlTokenId: WORKFLOW }]
}

eachProfile((profile) => {
  let runtime: LocalRuntime
  const logs: string[] = []
  const queue = tempFolder()

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
      seed: SEED,
      log: (line) => logs.push(line),
      tracking: { queueFolder: queue.folder },
      sandbox: { profile }
    })
  })
  afterAll(async () => {
    await runtime.close()
    queue.remove()
  })
  beforeEach(() => {
    runtime.sandbox!.reset()
    runtime.sandbox!.setFaults({})
  })

  async function post(path: string, body: unknown, raw?: string) {
    const response = await fetch(`${runtime.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body)
    })
    const text = await response.text()
    expect(text).not.toContain(TOKEN)
    return { status: response.status, body: JSON.parse(text) }
  }

  interface SandboxState {
    directories: { contacts: StoredContact[]; transactions: StoredTransaction[] }[]
    workflowRuns: WorkflowRun[]
  }
  async function sandboxState(): Promise<SandboxState> {
    return (await fetch(`${runtime.sandbox!.url}/__sandbox/state`)).json() as Promise<SandboxState>
  }
  const contacts = async () => (await sandboxState()).directories[0].contacts
  const transactions = async () => (await sandboxState()).directories[0].transactions

  const identify = (userId: string, email: string, extra: Record<string, unknown> = {}) => ({
    type: 'identify',
    userId,
    messageId: `identify-${userId}-${email}`,
    timestamp: '2026-11-24T09:00:00Z',
    traits: { email, ...extra }
  })
  const purchase = (userId: string, n: number) => ({
    type: 'track',
    event: 'Transaction Created',
    userId,
    messageId: `purchase-${userId}-${n}`,
    timestamp: '2026-11-24T09:30:00Z',
    properties: { orderId: `o-${n}`, total: n * 10 },
    context: { traits: { email: `${userId}@example.com` } }
  })
  const deliveries = (body: { results: { deliveries: { status: number; retryable: boolean }[] }[] }) =>
    body.results.map((r) => r.deliveries.map((d) => [d.status, d.retryable]))

  describe('end to end: local server → sandbox over HTTP', () => {
    it('delivers an identify through the preset and stores the contact', async () => {
      const { status, body } = await post('/events', identify('u-1', 'Ann@Example.com', { firstName: 'Ann' }))
      expect(status).toBe(200)
      expect(body.results[0].deliveries).toEqual([
        expect.objectContaining({ action: 'upsertContact', status: 200, retryable: false })
      ])
      const stored = (await contacts()).find((c) => c.extRef === 'u-1')
      expect(stored).toMatchObject({ email: 'Ann@Example.com', firstName: 'Ann' })
      expect(body.results[0].deliveries[0].body.contactId).toBe(stored!.id)
    })

    it('deduplicates: the same identity twice is one contact, updated', async () => {
      await post('/events', identify('u-2', 'dup@example.com', { firstName: 'First' }))
      await post('/events', identify('u-2', 'DUP@example.com', { lastName: 'Second' }))
      const matching = (await contacts()).filter((c) => c.email?.toLowerCase() === 'dup@example.com')
      expect(matching).toHaveLength(1)
      expect(matching[0]).toMatchObject({ firstName: 'First', lastName: 'Second', email: 'DUP@example.com' })
    })

    it('runs an action route with a custom mapping', async () => {
      const { body } = await post('/upsertContact', {
        payload: { type: 'identify', userId: 'u-3', traits: { mail: 'custom@example.com', lang: 'DE' } },
        mapping: {
          extRef: { '@path': '$.userId' },
          email: { '@path': '$.traits.mail' },
          language: { '@path': '$.traits.lang' }
        }
      })
      expect(body.results).toEqual([expect.objectContaining({ status: 200 })])
      expect(body.requests).toHaveLength(1)
      expect(body.requests[0].request.headers['x-api-token']).toBe('[redacted]')
      expect((await contacts()).find((c) => c.extRef === 'u-3')).toMatchObject({
        email: 'custom@example.com',
        language: 'DE'
      })
    })

    it('adds a transaction for a new contact (search, create, transaction) and for a known one (search, transaction)', async () => {
      const fresh = await post('/events', purchase('new-user', 1))
      expect(deliveries(fresh.body)).toEqual([[[200, false]]])
      const created = (await contacts()).find((c) => c.extRef === 'new-user')
      expect(created).toMatchObject({ email: 'new-user@example.com' })
      expect(fresh.body.requests.map((r: { request: { url: string } }) => new URL(r.request.url).pathname)).toEqual([
        `/API/v3/directories/${DIRECTORY}/contacts/search`,
        `/API/v3/directories/${DIRECTORY}/contacts/search`,
        `/API/v3/directories/${DIRECTORY}/contacts`,
        `/API/v3/directories/${DIRECTORY}/transactions`
      ])

      const known = await post('/events', purchase('known-user', 2))
      expect(deliveries(known.body)).toEqual([[[200, false]]])
      expect(known.body.requests).toHaveLength(2)
      const stored = await transactions()
      expect(stored.map((t) => [t.key, t.contactId, t.mailingListId, t.transactionDate])).toEqual([
        ['purchase-new-user-1', created!.id, MAILING_LIST, '2026-11-24 09:30:00'],
        ['purchase-known-user-2', 'CID_existing0001', MAILING_LIST, '2026-11-24 09:30:00']
      ])
      expect(stored[1].data).toMatchObject({ orderId: 'o-2', total: 20 })
      expect(await contacts()).toHaveLength(2)
    })

    it('creates one contact for concurrent transactions of one new person, in a directory that does not deduplicate', async () => {
      const mapping = { directoryId: DIRECTORY_PLAIN, mailingListId: MAILING_LIST }
      const replies = await Promise.all(
        [1, 2, 3].map((n) => post('/upsertContactTransaction', { payload: [purchase('racer', n)], mapping }))
      )
      expect(replies.map((r) => r.body.results.map((e: { status: number }) => e.status))).toEqual([[200], [200], [200]])
      const plain = (await sandboxState()).directories[1]
      expect(plain.contacts.filter((c) => c.extRef === 'racer')).toHaveLength(1)
      expect(plain.transactions.map((t) => t.contactId)).toEqual(Array(3).fill(plain.contacts[0].id))
    })

    describe('two extRefs are two people, whatever the sandbox’s search (which ignores case, as Qualtrics’) answers', () => {
      const plain = () => runtime.sandbox!.store.snapshot().directories.find((d) => d.directoryId === DIRECTORY_PLAIN)!
      const mapping = { directoryId: DIRECTORY_PLAIN, mailingListId: MAILING_LIST }

      it('ABC’s transaction does not land on abc’s contact, and deleting ABC then leaves nothing of ABC’s behind', async () => {
        const upserted = await post('/upsertContact', {
          payload: identify('abc', 'abc@example.com'),
          mapping: { directoryId: DIRECTORY_PLAIN }
        })
        expect(upserted.body.results).toEqual([expect.objectContaining({ status: 200 })])
        const abc = plain().contacts.find((c) => c.extRef === 'abc')!
        // ABC's email is abc's in another case: both of its searches answer abc's contact.
        const sent = await post('/upsertContactTransaction', { payload: [purchase('ABC', 1)], mapping })
        expect(sent.body.results[0]).toMatchObject({ status: 200, body: { contact: 'created', nearMatchCount: 1 } })
        const own = plain().contacts.find((c) => c.extRef === 'ABC')
        expect(own).toBeDefined()
        expect(plain().transactions.map((t) => [t.key, t.contactId])).toEqual([['purchase-ABC-1', own!.id]])

        const deleted = await post('/delete', { payload: { userId: 'ABC' } })
        expect(deleted.body).toMatchObject({ ok: true, result: { contactsDeleted: 1 } })
        const left = plain().contacts.map((c) => c.id)
        expect(left).toEqual([abc.id])
        // No transaction of ABC's is on a contact that is still there.
        expect(plain().transactions.filter((t) => left.includes(t.contactId))).toEqual([])
      })

      it('in one batch, user-1 does not land on anon-1’s contact through a shared email', async () => {
        const shared = (userId: string, n: number) => ({
          ...purchase(userId, n),
          context: { traits: { email: 'family@example.com' } }
        })
        const { body } = await post('/upsertContactTransaction', {
          payload: [shared('anon-1', 1), shared('user-1', 2)],
          mapping
        })
        expect(body.results.map((r: { status: number }) => r.status)).toEqual([200, 200])
        const idOf = (extRef: string) => plain().contacts.find((c) => c.extRef === extRef)?.id
        expect(plain().transactions.map((t) => [t.key, t.contactId])).toEqual([
          ['purchase-anon-1-1', idOf('anon-1')],
          ['purchase-user-1-2', idOf('user-1')]
        ])
        expect(idOf('user-1')).not.toBe(idOf('anon-1'))
      })
    })

    it('starts the workflow for a survey-completed event, with the token header or Basic auth', async () => {
      const survey = {
        type: 'track',
        event: 'Survey Completed',
        userId: 'u-9',
        messageId: 's-1',
        properties: { nps: 9 }
      }
      const viaPreset = await post('/events', survey)
      expect(viaPreset.body.results[0].deliveries).toEqual([
        expect.objectContaining({ action: 'triggerXflow', status: 200 })
      ])
      const basic = await post('/triggerXflow', {
        payload: { ...survey, messageId: 's-2' },
        mapping: { authMethod: 'basic', username: 'e2e@example.com' }
      })
      expect(basic.body.results[0].status).toBe(200)
      const runs = (await sandboxState()).workflowRuns
      expect(runs.map((r) => [r.urlTokenId, r.auth, (r.payload as { messageId: string }).messageId])).toEqual([
        [WORKFLOW, 'X-API-TOKEN', 's-1'],
        [WORKFLOW, 'Basic', 's-2']
      ])
      expect(runs[0].payload).toMatchObject({ event: 'Survey Completed', properties: { nps: 9 } })
    })

    it('authenticates against the sandbox and lists dynamic choices from it', async () => {
      expect((await post('/authenticate', {})).body).toEqual({
        ok: true,
        settingsUsed: { source: 'configured', datacenter: 'iad1', credentials: ['apiToken'] }
      })
      const wrong = await post('/authenticate', { apiToken: 'not-the-token' })
      expect(wrong.body.ok).toBe(false)
      expect(wrong.body.error).toMatch(/invalid/i)
      const directories = await post('/upsertContact/directoryId', {})
      expect(directories.body.choices).toEqual([
        { label: `E2E (${DIRECTORY})`, value: DIRECTORY },
        { label: `E2E plain (${DIRECTORY_PLAIN})`, value: DIRECTORY_PLAIN }
      ])
      const lists = await post('/upsertContactTransaction/mailingListId', { payload: { directoryId: DIRECTORY } })
      expect(lists.body.choices).toEqual([{ label: `E2E list (${MAILING_LIST})`, value: MAILING_LIST }])
    })

    it('reports a 429 from Qualtrics as retryable and stores nothing', async () => {
      runtime.sandbox!.setFaults({ rates: { 'contacts.create': { status429: 1 } } })
      const { body } = await post('/events', identify('u-4', 'limited@example.com'))
      expect(body.results[0].deliveries[0]).toMatchObject({ status: 429, retryable: true })
      expect(body.results[0].deliveries[0].errormessage).toMatch(/429|rate|too many/i)
      expect((await contacts()).some((c) => c.extRef === 'u-4')).toBe(false)
    })

    it('reports a permanent Qualtrics refusal as final, with Qualtrics’ reason', async () => {
      const { body } = await post('/upsertContactTransaction', {
        payload: purchase('u-5', 5),
        mapping: { mailingListId: 'CG_doesnotexist' }
      })
      expect(body.results[0]).toMatchObject({ status: 400, retryable: false })
      expect(body.results[0].errormessage).toContain('CG_doesnotexist')
      expect(await transactions()).toEqual([])
    })

    it('answers malformed requests with a 4xx that says what to fix', async () => {
      const malformed = await post('/events', undefined, '{"type": "identify",')
      expect(malformed.status).toBe(400)
      expect(malformed.body.error).toMatch(/JSON/)
      const unknown = await post('/noSuchAction', { payload: {} })
      expect(unknown.status).toBe(404)
      expect(unknown.body.error).toMatch(/upsertContact/)
      const noPayload = await post('/upsertContact', { mapping: {} })
      expect(noPayload.status).toBe(400)
      expect(noPayload.body.error).toMatch(/payload/)
      expect(logs.join('\n')).not.toContain(TOKEN)
    })

    it('delivers a mixed batch with per-event results and few Qualtrics requests', async () => {
      const batch = [
        ...Array.from({ length: 6 }, (_, i) => purchase(i % 2 === 0 ? 'known-user' : `batch-${i}`, i)),
        identify('batch-id-1', 'b1@example.com'),
        { type: 'track', event: 'Transaction Created', userId: 'bad-date', messageId: 'bad', timestamp: 'not a date' }
      ]
      const { body } = await post('/events', { batch })
      expect(deliveries(body)).toEqual([
        ...Array.from({ length: 6 }, () => [[200, false]]),
        [[200, false]],
        [[400, false]]
      ])
      expect(body.results[7].deliveries[0].errormessage).toMatch(/date/i)
      const stats = runtime.sandbox!.stats()
      // One transactions request for the whole batch; three distinct new users created once each.
      expect(stats.byEndpoint['transactions.create']).toEqual({ 200: 1 })
      expect(stats.byEndpoint['contacts.create']).toEqual({ 200: 4 })
      expect(await transactions()).toHaveLength(6)
    })
  })
})
