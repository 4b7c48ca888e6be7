import type { Sandbox, SandboxSeed } from '../../src/sandbox'
import {
  DIR,
  DIR_EXTREF,
  DIR_PLAIN,
  ML,
  OTHER_TOKEN,
  TOKEN,
  USER_NAME,
  MAIN_DIRECTORY_LISTING,
  UUID,
  WORKFLOW,
  api,
  basic,
  call,
  contactsIn,
  createContact,
  expectQualtricsError,
  start,
  state,
  testSeed,
  control
} from './helpers'

describe('sandbox over HTTP', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await start()
  })
  afterEach(async () => {
    await sandbox.close()
  })

  describe('authentication', () => {
    it('answers 401 in Qualtrics shape without an X-API-TOKEN', async () => {
      const reply = await call(sandbox, 'GET', api('/whoami'), undefined, {})
      expect(reply.status).toBe(401)
      expectQualtricsError(reply.body, '401 - Unauthorized', 'SANDBOX_AUTH')
      expect(reply.headers.get('content-type')).toBe('application/json')
    })

    it('answers 401 for a wrong or partial token', async () => {
      for (const token of ['nope', TOKEN.slice(0, -1), `${TOKEN}x`]) {
        const reply = await call(sandbox, 'GET', api('/whoami'), undefined, { 'x-api-token': token })
        expect(reply.status).toBe(401)
        expectQualtricsError(reply.body, '401 - Unauthorized', 'SANDBOX_AUTH')
      }
    })

    it('does not take the token from Basic auth on the API', async () => {
      const reply = await call(sandbox, 'GET', api('/whoami'), undefined, { authorization: basic(USER_NAME, TOKEN) })
      expect(reply.status).toBe(401)
    })

    it('answers whoami with the token owner', async () => {
      const reply = await call(sandbox, 'GET', api('/whoami'))
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        result: {
          brandId: 'brand-a',
          userId: 'UR_alice',
          userName: USER_NAME,
          accountType: 'UT_BRANDADMIN',
          firstName: 'Alice',
          lastName: 'Liddell',
          email: USER_NAME,
          datacenter: 'sandbox'
        },
        meta: { httpStatus: '200 - OK', requestId: expect.stringMatching(UUID) }
      })
      const bob = await call(sandbox, 'GET', api('/whoami'), undefined, { 'x-api-token': OTHER_TOKEN })
      expect(bob.body.result.userName).toBe('bob@example.com')
    })

    it('gives every response its own requestId', async () => {
      const a = await call(sandbox, 'GET', api('/whoami'))
      const b = await call(sandbox, 'GET', api('/whoami'))
      expect(a.body.meta.requestId).not.toBe(b.body.meta.requestId)
    })

    it('never shows a token in GET /__sandbox/state', async () => {
      await createContact(sandbox, { email: 'someone@example.com' })
      await call(sandbox, 'POST', `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`, { a: 1 })
      const raw = await (await fetch(`${sandbox.url}/__sandbox/state`)).text()
      expect(raw).toContain(USER_NAME)
      expect(raw).not.toContain(TOKEN)
      expect(raw).not.toContain(OTHER_TOKEN)
      expect(raw).not.toMatch(/"token"/)
    })
  })

  describe('routing', () => {
    it('answers an unknown route with 404 in Qualtrics shape', async () => {
      for (const path of ['/API/v3/surveys', '/API/v2/whoami', '/nothing', `/API/v3/directories/${DIR}/contacts/a/b`]) {
        const reply = await call(sandbox, 'GET', path)
        expect(reply.status).toBe(404)
        expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
      }
    })

    it('answers a path with a malformed percent-escape with 404, and keeps serving', async () => {
      for (const path of [api('/directories/%E0%A4%A/contacts'), api('/directories/%zz/mailinglists')]) {
        const reply = await call(sandbox, 'GET', path)
        expect(reply.status).toBe(404)
        expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
      }
      expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(200)
    })

    it('answers a known route with the wrong method with 405 in Qualtrics shape', async () => {
      const cases: [string, string][] = [
        ['POST', api('/whoami')],
        ['DELETE', api('/directories')],
        ['GET', api(`/directories/${DIR}/contacts/search`)],
        ['PATCH', api(`/directories/${DIR}/contacts/CID_seeded0000001`)],
        ['PUT', api('/op-erase-personal-data')],
        ['GET', '/oauth2/token'],
        ['GET', api(`/directories/${DIR}/transactions`)],
        ['GET', `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`]
      ]
      for (const [method, path] of cases) {
        const reply = await call(sandbox, method, path)
        expect([method, path, reply.status]).toEqual([method, path, 405])
        expectQualtricsError(reply.body, '405 - Method Not Allowed', 'SANDBOX_METHOD')
      }
    })

    it('answers an unknown inspection route with 404 and the list of routes', async () => {
      const reply = await call(sandbox, 'GET', '/__sandbox/nothing', undefined, {})
      expect(reply.status).toBe(404)
      expect(reply.body.routes).toContain('GET /__sandbox/state')
    })
  })

  describe('directories and mailing lists', () => {
    const directories = (n: number): SandboxSeed['directories'] =>
      Array.from({ length: n }, (_, i) => ({
        directoryId: `POOL_page${i}`,
        mailingLists: Array.from({ length: 5 }, (_, j) => ({ mailingListId: `CG_${i}_${j}` }))
      }))

    it('pages directories through nextPage URLs on the sandbox origin', async () => {
      await sandbox.close()
      sandbox = await start({ seed: testSeed({ directories: directories(5) }), defaultPageSize: 2 })
      const seen: string[][] = []
      let next: string | null = api('/directories')
      while (next !== null) {
        const reply = await call(sandbox, 'GET', next)
        expect(reply.status).toBe(200)
        expect(reply.body.meta.httpStatus).toBe('200 - OK')
        seen.push(reply.body.result.elements.map((d: { directoryId: string }) => d.directoryId))
        next = reply.body.result.nextPage
        if (next !== null) expect(next.startsWith(`${sandbox.url}/API/v3/directories?`)).toBe(true)
        if (seen.length > 5) throw new Error('paging never ended')
      }
      expect(seen).toEqual([['POOL_page0', 'POOL_page1'], ['POOL_page2', 'POOL_page3'], ['POOL_page4']])
    })

    it('returns directories with their deduplication criteria and contact counts', async () => {
      const reply = await call(sandbox, 'GET', api('/directories'))
      expect(reply.body.result.nextPage).toBeNull()
      expect(reply.body.result.elements).toHaveLength(3)
      expect(reply.body.result.elements[0]).toEqual(MAIN_DIRECTORY_LISTING)
    })

    it.each(['0', '101', '-1', '2.5', 'ten'])('refuses pageSize=%s with 400', async (size) => {
      const reply = await call(sandbox, 'GET', api(`/directories?pageSize=${size}`))
      expect(reply.status).toBe(400)
      expectQualtricsError(reply.body, '400 - Bad Request', 'SANDBOX_VALIDATION')
    })

    it('accepts pageSize 1 and 100', async () => {
      const one = await call(sandbox, 'GET', api('/directories?pageSize=1'))
      expect(one.body.result.elements).toHaveLength(1)
      expect(one.body.result.nextPage).toContain('pageSize=1')
      const hundred = await call(sandbox, 'GET', api('/directories?pageSize=100'))
      expect(hundred.body.result.elements).toHaveLength(3)
    })

    it('refuses a skipToken it did not issue', async () => {
      const reply = await call(sandbox, 'GET', api('/directories?skipToken=garbage'))
      expect(reply.status).toBe(400)
      expect(reply.body.meta.error.errorMessage).toContain('skipToken')
    })

    it('pages mailing lists likewise', async () => {
      await sandbox.close()
      sandbox = await start({ seed: testSeed({ directories: directories(1) }) })
      const ids: string[] = []
      let next: string | null = api('/directories/POOL_page0/mailinglists?pageSize=2')
      let pages = 0
      while (next !== null && pages++ < 5) {
        const reply = await call(sandbox, 'GET', next)
        expect(reply.status).toBe(200)
        ids.push(...reply.body.result.elements.map((ml: { mailingListId: string }) => ml.mailingListId))
        next = reply.body.result.nextPage
      }
      expect(pages).toBe(3)
      expect(ids).toEqual(['CG_0_0', 'CG_0_1', 'CG_0_2', 'CG_0_3', 'CG_0_4'])
    })

    it('returns mailing lists with epoch-millisecond dates', async () => {
      const reply = await call(sandbox, 'GET', api(`/directories/${DIR}/mailinglists`))
      expect(reply.body.result).toEqual({
        elements: [
          {
            mailingListId: ML,
            name: 'Customers',
            ownerId: expect.any(String),
            creationDate: expect.any(Number),
            lastModifiedDate: expect.any(Number),
            contactCount: expect.any(Number)
          }
        ],
        nextPage: null
      })
    })

    it('answers 404 for the mailing lists of an unknown directory', async () => {
      const reply = await call(sandbox, 'GET', api('/directories/POOL_nope/mailinglists'))
      expect(reply.status).toBe(404)
      expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
      expect(reply.body.meta.error.errorMessage).toContain('POOL_nope')
    })
  })

  describe('contacts', () => {
    it('creates a contact and returns its CID_ id', async () => {
      const reply = await createContact(sandbox, { email: 'new@example.com', firstName: 'New', embeddedData: { n: 1 } })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        result: { id: expect.stringMatching(/^CID_\w+$/) },
        meta: { httpStatus: '200 - OK', requestId: expect.stringMatching(UUID) }
      })
      const got = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${reply.body.result.id}`))
      expect(got.status).toBe(200)
      expect(got.body.result).toMatchObject({
        id: reply.body.result.id,
        email: 'new@example.com',
        firstName: 'New',
        embeddedData: { n: 1 }
      })
    })

    it('deduplicates on email in another case, updating fields and merging embedded data', async () => {
      const first = await createContact(sandbox, {
        email: 'Pat@Example.com',
        firstName: 'Pat',
        embeddedData: { tier: 'gold', region: 'eu' }
      })
      const second = await createContact(sandbox, {
        email: 'pat@example.com',
        lastName: 'Lee',
        embeddedData: { tier: 'platinum', seats: 5 }
      })
      expect(second.status).toBe(200)
      expect(second.body.result.id).toBe(first.body.result.id)
      const got = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${first.body.result.id}`))
      expect(got.body.result).toMatchObject({
        email: 'pat@example.com',
        firstName: 'Pat',
        lastName: 'Lee',
        embeddedData: { tier: 'platinum', region: 'eu', seats: 5 }
      })
      expect(await contactsIn(sandbox)).toHaveLength(2)
    })

    it('does not deduplicate a contact that lacks the email', async () => {
      const a = await createContact(sandbox, { firstName: 'Anon', extRef: 'x-1' })
      const b = await createContact(sandbox, { firstName: 'Anon', extRef: 'x-1' })
      expect(a.body.result.id).not.toBe(b.body.result.id)
      expect(await contactsIn(sandbox)).toHaveLength(3)
    })

    it('needs both extRef and email to match in a directory with both criteria', async () => {
      const base = await createContact(sandbox, { extRef: 'ext-1', email: 'both@example.com' }, DIR_EXTREF)
      const same = await createContact(sandbox, { extRef: 'EXT-1', email: 'Both@example.com' }, DIR_EXTREF)
      const otherRef = await createContact(sandbox, { extRef: 'ext-2', email: 'both@example.com' }, DIR_EXTREF)
      const noRef = await createContact(sandbox, { email: 'both@example.com' }, DIR_EXTREF)
      expect(same.body.result.id).toBe(base.body.result.id)
      expect(otherRef.body.result.id).not.toBe(base.body.result.id)
      expect(noRef.body.result.id).not.toBe(base.body.result.id)
      expect(await contactsIn(sandbox, DIR_EXTREF)).toHaveLength(3)
    })

    it.each([
      ['an unknown field', { email: 'a@example.com', favouriteColour: 'red' }, 'favouriteColour'],
      ['a numeric email', { email: 12 }, '"email" must be a string'],
      ['a string unsubscribed', { email: 'a@example.com', unsubscribed: 'true' }, '"unsubscribed" must be a boolean'],
      ['an array embeddedData', { embeddedData: ['a'] }, '"embeddedData" must be an object'],
      ['a null embedded value', { embeddedData: { a: null } }, 'must be a string, number or boolean'],
      ['an embedded name over 200 characters', { embeddedData: { ['k'.repeat(201)]: 'v' } }, 'over 200 characters'],
      ['an embedded value over 1024 characters', { embeddedData: { k: 'v'.repeat(1025) } }, 'over 1024 characters'],
      ['a JSON array body', [{ email: 'a@example.com' }], 'must be a JSON object']
    ])('refuses %s with 400 and stores nothing', async (_name, body, message) => {
      const reply = await createContact(sandbox, body)
      expect(reply.status).toBe(400)
      expectQualtricsError(reply.body, '400 - Bad Request', 'SANDBOX_VALIDATION')
      expect(reply.body.meta.error.errorMessage).toContain(message)
      expect(await contactsIn(sandbox)).toHaveLength(1)
    })

    it('refuses malformed JSON and an empty body with 400', async () => {
      const malformed = await createContact(sandbox, '{"email": ')
      expect(malformed.status).toBe(400)
      expectQualtricsError(malformed.body, '400 - Bad Request', 'SANDBOX_MALFORMED_JSON')
      const empty = await call(sandbox, 'POST', api(`/directories/${DIR}/contacts`))
      expect(empty.status).toBe(400)
      expect(await contactsIn(sandbox)).toHaveLength(1)
    })

    it('updates a contact with PUT, answering meta only', async () => {
      const path = api(`/directories/${DIR}/contacts/CID_seeded0000001`)
      const put = await call(sandbox, 'PUT', path, { lastName: 'Updated', embeddedData: { k: 'v' } })
      expect(put.status).toBe(200)
      expect(put.body).toEqual({ meta: { httpStatus: '200 - OK', requestId: expect.stringMatching(UUID) } })
      const got = await call(sandbox, 'GET', path)
      expect(got.body.result).toMatchObject({
        id: 'CID_seeded0000001',
        email: 'seeded@example.com',
        firstName: 'Seeded',
        lastName: 'Updated',
        embeddedData: { k: 'v' }
      })
    })

    it('refuses an invalid PUT and leaves the contact as it was', async () => {
      const path = api(`/directories/${DIR}/contacts/CID_seeded0000001`)
      const put = await call(sandbox, 'PUT', path, { firstName: 'Changed', embeddedData: { k: 'v'.repeat(1025) } })
      expect(put.status).toBe(400)
      expect((await call(sandbox, 'GET', path)).body.result.firstName).toBe('Seeded')
    })

    it('answers 404 for an unknown contact or directory', async () => {
      const get = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/CID_nope`))
      expect(get.status).toBe(404)
      expectQualtricsError(get.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
      const put = await call(sandbox, 'PUT', api(`/directories/${DIR}/contacts/CID_nope`), { firstName: 'x' })
      expect(put.status).toBe(404)
      const create = await createContact(sandbox, { email: 'a@example.com' }, 'POOL_nope')
      expect(create.status).toBe(404)
      // A contact lives in one directory only.
      const elsewhere = await call(sandbox, 'GET', api(`/directories/${DIR_PLAIN}/contacts/CID_seeded0000001`))
      expect(elsewhere.status).toBe(404)
    })
  })

  describe('search', () => {
    const search = (body: unknown, query = '') =>
      call(sandbox, 'POST', api(`/directories/${DIR_PLAIN}/contacts/search${query}`), body)

    beforeEach(async () => {
      for (let i = 0; i < 5; i++) {
        await createContact(
          sandbox,
          {
            email: `p${i}@example.com`,
            lastName: i < 3 ? 'Smith' : 'Jones',
            extRef: `ref-${i % 2}`,
            embeddedData: { i }
          },
          DIR_PLAIN
        )
      }
    })

    it('finds contacts with one eq filter, case-insensitively, without embedded data by default', async () => {
      const reply = await search({ filter: { filterType: 'lastName', comparison: 'eq', value: 'SMITH' } })
      expect(reply.status).toBe(200)
      expect(reply.body.result.elements.map((c: { email: string }) => c.email)).toEqual([
        'p0@example.com',
        'p1@example.com',
        'p2@example.com'
      ])
      expect(reply.body.result.elements[0].id).toMatch(/^CID_/)
      expect(reply.body.result.elements[0]).not.toHaveProperty('embeddedData')
      expect(reply.body.result.nextPage).toBeNull()
      expect(reply.body.result).not.toHaveProperty('skipToken')
    })

    it('includes embedded data when asked', async () => {
      const reply = await search(
        { filter: { filterType: 'email', comparison: 'eq', value: 'p4@example.com' } },
        '?includeEmbedded=true'
      )
      expect(reply.body.result.elements).toEqual([expect.objectContaining({ embeddedData: { i: 4 } })])
    })

    it('ANDs two filters', async () => {
      const reply = await search({
        filter: {
          conjunction: 'and',
          filters: [
            { filterType: 'extRef', comparison: 'eq', value: 'ref-0' },
            { filterType: 'lastName', comparison: 'eq', value: 'smith' }
          ]
        }
      })
      expect(reply.body.result.elements.map((c: { email: string }) => c.email)).toEqual([
        'p0@example.com',
        'p2@example.com'
      ])
    })

    it('answers an empty list when nothing matches', async () => {
      const reply = await search({ filter: { filterType: 'email', comparison: 'eq', value: 'nobody@example.com' } })
      expect(reply.status).toBe(200)
      expect(reply.body.result.elements).toEqual([])
    })

    it.each([
      [
        'conjunction or',
        { filter: { conjunction: 'or', filters: [{ filterType: 'email', comparison: 'eq', value: 'a' }] } }
      ],
      ['an empty and', { filter: { conjunction: 'and', filters: [] } }],
      ['comparison contains', { filter: { filterType: 'email', comparison: 'contains', value: 'p0' } }],
      ['no comparison', { filter: { filterType: 'email', value: 'p0@example.com' } }],
      ['an unsupported filterType', { filter: { filterType: 'city', comparison: 'eq', value: 'Paris' } }],
      ['a numeric value', { filter: { filterType: 'extRef', comparison: 'eq', value: 1 } }],
      ['no filter', {}],
      ['an and with a bad inner filter', { filter: { conjunction: 'and', filters: [{ filterType: 'email' }] } }]
    ])('refuses %s with 400', async (_name, body) => {
      const reply = await search(body)
      expect(reply.status).toBe(400)
      expectQualtricsError(reply.body, '400 - Bad Request', 'SANDBOX_VALIDATION')
    })

    it('pages with pageSize and the returned skipToken', async () => {
      const body = { filter: { filterType: 'email', comparison: 'eq', value: 'p0@example.com' } }
      const all = { filter: { conjunction: 'and', filters: [body.filter] } }
      expect((await search(all, '?pageSize=2')).body.result.elements).toHaveLength(1)

      const everyone = (value: string) => ({ filter: { filterType: 'extRef', comparison: 'eq', value } })
      const first = await search(everyone('ref-0'), '?pageSize=2')
      expect(first.body.result.elements.map((c: { email: string }) => c.email)).toEqual([
        'p0@example.com',
        'p2@example.com'
      ])
      const token = first.body.result.skipToken
      expect(typeof token).toBe('string')
      expect(first.body.result.nextPage).toContain(`skipToken=${token}`)
      const second = await search(everyone('ref-0'), `?pageSize=2&skipToken=${encodeURIComponent(token)}`)
      expect(second.body.result.elements.map((c: { email: string }) => c.email)).toEqual(['p4@example.com'])
      // A page shorter than pageSize carries no skipToken.
      expect(second.body.result).not.toHaveProperty('skipToken')
      expect(second.body.result.nextPage).toBeNull()
    })

    it('answers 404 for an unknown directory', async () => {
      const reply = await call(sandbox, 'POST', api('/directories/POOL_nope/contacts/search'), {
        filter: { filterType: 'email', comparison: 'eq', value: 'a' }
      })
      expect(reply.status).toBe(404)
    })
  })

  describe('transactions', () => {
    const path = api(`/directories/${DIR}/transactions`)

    it('creates the valid entry of three and explains the other two', async () => {
      const reply = await call(sandbox, 'POST', path, {
        good: {
          contactId: 'CID_seeded0000001',
          mailingListId: ML,
          transactionDate: '2026-03-01 12:00:00',
          data: { orderId: 'A-1', amount: 9.5 }
        },
        ghost: { contactId: 'CID_ghost', mailingListId: ML, transactionDate: '2026-03-01 12:00:00' },
        badDate: { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-13-01 00:00:00' }
      })
      expect(reply.status).toBe(200)
      expect(reply.body.meta.httpStatus).toBe('200 - OK')
      const { createdTransactions, unprocessedTransactions } = reply.body.result
      expect(Object.keys(createdTransactions)).toEqual(['good'])
      expect(createdTransactions.good.id).toMatch(/^CTR_\w+$/)
      expect(Object.keys(unprocessedTransactions).sort()).toEqual(['badDate', 'ghost'])
      expect(unprocessedTransactions.ghost.errorMessage).toContain('CID_ghost')
      expect(unprocessedTransactions.badDate.errorMessage).toContain('2026-13-01 00:00:00')
      expect(unprocessedTransactions.badDate.errorMessage).toContain('YYYY-MM-DD HH:MM:SS')
      const stored = (await state(sandbox)).directories[0].transactions
      expect(stored).toEqual([
        expect.objectContaining({
          id: createdTransactions.good.id,
          key: 'good',
          contactId: 'CID_seeded0000001',
          data: { orderId: 'A-1', amount: 9.5 }
        })
      ])
    })

    it('refuses an ISO date, an unknown mailing list and a nested data value', async () => {
      const entry = { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-03-01 12:00:00' }
      const reply = await call(sandbox, 'POST', path, {
        iso: { ...entry, transactionDate: '2026-03-01T12:00:00' },
        list: { ...entry, mailingListId: 'CG_nope' },
        nested: { ...entry, data: { cart: { items: 2 } } }
      })
      expect(reply.status).toBe(200)
      const { createdTransactions, unprocessedTransactions } = reply.body.result
      expect(createdTransactions).toEqual({})
      expect(unprocessedTransactions.iso.errorMessage).toContain('2026-03-01T12:00:00')
      expect(unprocessedTransactions.list.errorMessage).toContain('CG_nope')
      expect(unprocessedTransactions.nested.errorMessage).toContain('"cart"')
      expect((await state(sandbox)).directories[0].transactions).toEqual([])
    })

    it.each([
      ['an empty body', undefined],
      ['an empty object', {}],
      ['a list', [{ contactId: 'CID_seeded0000001' }]]
    ])('refuses %s with 400', async (_name, body) => {
      const reply = await call(sandbox, 'POST', path, body)
      expect(reply.status).toBe(400)
      expectQualtricsError(reply.body, '400 - Bad Request', 'SANDBOX_VALIDATION')
    })

    it('answers 404 for an unknown directory', async () => {
      const reply = await call(sandbox, 'POST', api('/directories/POOL_nope/transactions'), { k: {} })
      expect(reply.status).toBe(404)
    })
  })

  describe('JSON Event trigger', () => {
    const trigger = `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`

    it('accepts X-API-TOKEN and records the run', async () => {
      const reply = await call(sandbox, 'POST', trigger, { event: 'Signed Up', userId: 'u-1' })
      expect(reply.status).toBe(202)
      expect(reply.body.meta.httpStatus).toBe('202 - Accepted')
      const snapshot = await state(sandbox)
      expect(snapshot.workflowRuns).toEqual([
        expect.objectContaining({
          id: reply.body.result.runId,
          urlTokenId: WORKFLOW,
          auth: 'X-API-TOKEN',
          userName: USER_NAME,
          payload: { event: 'Signed Up', userId: 'u-1' }
        })
      ])
      expect(snapshot.workflows).toEqual([{ urlTokenId: WORKFLOW, runs: 1 }])
    })

    it('accepts the older URL form, upper-case JSON with triggerId instead of urlTokenId', async () => {
      const older = `/inbound-event/v1/events/JSON/triggers?contextId=SV_1&brandId=acme&triggerId=${WORKFLOW}`
      const reply = await call(sandbox, 'POST', older, { a: 1 })
      expect(reply.status).toBe(202)
      expect((await state(sandbox)).workflowRuns).toEqual([expect.objectContaining({ urlTokenId: WORKFLOW })])
    })

    it('accepts Basic base64(userName:token)', async () => {
      const reply = await call(sandbox, 'POST', trigger, { a: 1 }, { authorization: basic(USER_NAME, TOKEN) })
      expect(reply.status).toBe(202)
      const bob = await call(
        sandbox,
        'POST',
        trigger,
        { b: 2 },
        { authorization: basic('bob@example.com', OTHER_TOKEN) }
      )
      expect(bob.status).toBe(202)
      const runs = (await state(sandbox)).workflowRuns
      expect(runs.map((r: { auth: string; userName: string }) => [r.auth, r.userName])).toEqual([
        ['Basic', USER_NAME],
        ['Basic', 'bob@example.com']
      ])
    })

    it('refuses Basic with a wrong user name or token, or no auth, with 401', async () => {
      const attempts: Record<string, string>[] = [
        { authorization: basic('bob@example.com', TOKEN) },
        { authorization: basic(USER_NAME, 'wrong') },
        { authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` },
        {}
      ]
      for (const headers of attempts) {
        const reply = await call(sandbox, 'POST', trigger, { a: 1 }, headers)
        expect(reply.status).toBe(401)
        expectQualtricsError(reply.body, '401 - Unauthorized', 'SANDBOX_AUTH')
      }
      expect((await state(sandbox)).workflowRuns).toEqual([])
    })

    it('answers 404 for an unknown or missing urlTokenId', async () => {
      for (const path of [
        '/inbound-event/v1/events/json/triggers?urlTokenId=nope',
        '/inbound-event/v1/events/json/triggers'
      ]) {
        const reply = await call(sandbox, 'POST', path, { a: 1 })
        expect(reply.status).toBe(404)
        expectQualtricsError(reply.body, '404 - Not Found', 'SANDBOX_NOT_FOUND')
      }
      expect((await state(sandbox)).workflowRuns).toEqual([])
    })

    it('takes a body of exactly 100 KB and refuses one byte more with 413, recording nothing', async () => {
      const body = (bytes: number) => `{"p":"${'x'.repeat(bytes - 8)}"}`
      expect(Buffer.byteLength(body(100 * 1024))).toBe(100 * 1024)
      const over = await call(sandbox, 'POST', trigger, body(100 * 1024 + 1))
      expect(over.status).toBe(413)
      expectQualtricsError(over.body, '413 - Payload Too Large', 'SANDBOX_TOO_LARGE')
      expect((await state(sandbox)).workflowRuns).toEqual([])
      const exact = await call(sandbox, 'POST', trigger, body(100 * 1024))
      expect(exact.status).toBe(202)
      expect((await state(sandbox)).workflowRuns).toHaveLength(1)
    })

    it('refuses malformed JSON and a non-object body with 400', async () => {
      const malformed = await call(sandbox, 'POST', trigger, '{"event":')
      expect(malformed.status).toBe(400)
      expectQualtricsError(malformed.body, '400 - Bad Request', 'SANDBOX_MALFORMED_JSON')
      for (const body of ['"text"', '42', 'null']) {
        expect((await call(sandbox, 'POST', trigger, body)).status).toBe(400)
      }
      expect((await call(sandbox, 'POST', trigger)).status).toBe(400)
      expect((await state(sandbox)).workflowRuns).toEqual([])
    })
  })

  describe('inspection routes', () => {
    it('counts requests by endpoint and status', async () => {
      await call(sandbox, 'GET', api('/whoami'))
      await call(sandbox, 'GET', api('/whoami'), undefined, {})
      await createContact(sandbox, { email: 'a@example.com' })
      await createContact(sandbox, { bogus: true })
      await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/CID_nope`))
      const stats = (await call(sandbox, 'GET', '/__sandbox/stats', undefined, {})).body
      expect(stats).toEqual({
        requests: 5,
        byEndpoint: {
          whoami: { '200': 1, '401': 1 },
          'contacts.create': { '200': 1, '400': 1 },
          'contacts.get': { '404': 1 }
        },
        rateLimited: 0,
        faults: { status429: 0, status500: 0, status503: 0, drop: 0, timeout: 0, malformed: 0 },
        callsByAuth: { 'X-API-TOKEN': 4, Basic: 0, Bearer: 0 },
        oauth: {
          tokensIssued: 0,
          tokensRefused: { invalid_client: 0, invalid_scope: 0, unsupported_grant_type: 0, invalid_request: 0 },
          bearerRefused: { unknown: 0, expired: 0, missing_scope: 0, json_event: 0 }
        }
      })
      expect(sandbox.stats()).toEqual(stats)
    })

    it('restores the seed on POST /__sandbox/reset', async () => {
      const created = await createContact(sandbox, { email: 'gone@example.com' })
      await call(sandbox, 'PUT', api(`/directories/${DIR}/contacts/CID_seeded0000001`), { firstName: 'Changed' })
      await call(sandbox, 'POST', `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`, { a: 1 })
      const reset = await call(sandbox, 'POST', '/__sandbox/reset', undefined, control(sandbox))
      expect(reset).toMatchObject({ status: 200, body: { reset: true } })
      const contacts = await contactsIn(sandbox)
      expect(contacts).toEqual([expect.objectContaining({ id: 'CID_seeded0000001', firstName: 'Seeded' })])
      expect((await state(sandbox)).workflowRuns).toEqual([])
      const gone = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${created.body.result.id}`))
      expect(gone.status).toBe(404)
      expect(sandbox.stats().requests).toBe(1)
    })
  })
})

describe('the 10,000-result search limit', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    const contacts = Array.from({ length: 10_050 }, (_, i) => ({ email: `bulk${i}@example.com`, lastName: 'Bulk' }))
    const seed = testSeed()
    seed.directories[2].contacts = contacts
    sandbox = await start({ seed })
  })
  afterAll(async () => {
    await sandbox.close()
  })

  it('pages up to offset 9,900 and refuses the page at 10,000 with 400 BRE_0.5', async () => {
    const body = { filter: { filterType: 'lastName', comparison: 'eq', value: 'bulk' } }
    let next: string = api(`/directories/${DIR_PLAIN}/contacts/search?pageSize=100`)
    let seen = 0
    for (let page = 0; page < 100; page++) {
      const reply = await call(sandbox, 'POST', next, body)
      expect(reply.status).toBe(200)
      expect(reply.body.result.elements).toHaveLength(100)
      if (page === 99) expect(reply.body.result.elements[99].email).toBe('bulk9999@example.com')
      seen += reply.body.result.elements.length
      next = reply.body.result.nextPage
      expect(next).toEqual(expect.any(String))
    }
    expect(seen).toBe(10_000)
    const refused = await call(sandbox, 'POST', next, body)
    expect(refused.status).toBe(400)
    expectQualtricsError(refused.body, '400 - Bad Request', 'BRE_0.5')
  })
})
