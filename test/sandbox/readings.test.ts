import { OTHER_QUALTRICS_ORIGIN, PROFILES, startSandbox } from '../../src/sandbox'
import type { Readings, Sandbox } from '../../src/sandbox'
import { sandboxOptionsFromEnv } from '../../src/sandbox/env'
import { DIR, DIR_EXTREF, DIR_PLAIN, ML, api, call, contactsIn, createContact, state, testSeed } from './helpers'

/** The readings of Qualtrics the public evidence leaves open (research notes §16): each switch, both ways. */

let sandbox: Sandbox | undefined
afterEach(async () => {
  await sandbox?.close()
  sandbox = undefined
})

const startWith = async (readings: Partial<Readings>, extra: Parameters<typeof startSandbox>[0] = {}) =>
  (sandbox = await startSandbox({ seed: testSeed(), readings, ...extra }))
const searchBody = (filterType: string, value: string) => ({ filter: { filterType, comparison: 'eq', value } })
const search = (target: Sandbox, body: unknown, directoryId = DIR, query = '') =>
  call(target, 'POST', api(`/directories/${directoryId}/contacts/search${query}`), body)

describe('profiles and switches', () => {
  it('serves the default profile unless told otherwise, and shows its readings', async () => {
    sandbox = await startSandbox({ seed: testSeed() })
    expect((await call(sandbox, 'GET', '/__sandbox/readings', undefined, {})).body).toEqual({
      profile: 'default',
      readings: PROFILES.default
    })
    expect(sandbox.readings).toEqual(PROFILES.default)
  })

  it('sets every switch from the strict profile, and one switch over it', async () => {
    sandbox = await startSandbox({
      seed: testSeed(),
      profile: 'strict',
      readings: { contactUpdate: 'mergesEmbeddedData' }
    })
    expect(sandbox.readings).toEqual({ ...PROFILES.strict, contactUpdate: 'mergesEmbeddedData' })
    expect((await call(sandbox, 'GET', '/__sandbox/readings', undefined, {})).body.profile).toBe('strict')
  })

  it('gives each switch another reading in the strict profile', () => {
    for (const key of Object.keys(PROFILES.default) as (keyof Readings)[]) {
      expect([key, PROFILES.strict[key]]).not.toEqual([key, PROFILES.default[key]])
    }
  })

  it.each([
    [{ profile: 'lenient' }, /profile "lenient" is not one of default, strict/],
    [{ readings: { searchPaging: 'cursor' } }, /readings.searchPaging "cursor" is not one of nextPage, skipToken/],
    [{ readings: { pagingStyle: 'nextPage' } }, /readings.pagingStyle is not a reading/]
  ])('refuses %j before it starts, naming what is wrong', (options, message) => {
    expect(() => startSandbox({ seed: testSeed(), ...(options as object) })).toThrow(message)
  })

  it('reads SANDBOX_PROFILE and SANDBOX_READINGS, and names a mistake in either', () => {
    expect(sandboxOptionsFromEnv({ SANDBOX_PROFILE: 'strict' })).toEqual({ profile: 'strict' })
    expect(sandboxOptionsFromEnv({ SANDBOX_READINGS: '{"searchPaging": "skipToken"}' })).toEqual({
      readings: { searchPaging: 'skipToken' }
    })
    expect(() => sandboxOptionsFromEnv({ SANDBOX_PROFILE: 'loose' })).toThrow(/SANDBOX_PROFILE "loose" is not one of/)
    expect(() => sandboxOptionsFromEnv({ SANDBOX_READINGS: '{' })).toThrow(/SANDBOX_READINGS must be JSON/)
    expect(() => sandboxOptionsFromEnv({ SANDBOX_READINGS: '{"contactUpdate": "x"}' })).toThrow(
      /SANDBOX_READINGS: readings.contactUpdate "x" is not one of/
    )
  })
})

describe('search answers', () => {
  it.each([
    ['extRef', { extRef: 'u-1', phone: '+15550100' }, ['externalDataReference', 'phoneNumber']],
    ['externalDataReference', { externalDataReference: 'u-1', phoneNumber: '+15550100' }, ['extRef', 'phone']]
  ] as const)('names the fields of a found contact as %s does', async (reading, shown, absent) => {
    const target = await startWith({ searchFieldNames: reading })
    await createContact(target, { email: 'named@example.com', extRef: 'u-1', phone: '+15550100' })
    const [element] = (await search(target, searchBody('extRef', 'u-1'))).body.result.elements
    expect(element).toMatchObject({ email: 'named@example.com', ...shown })
    for (const field of absent) expect(element).not.toHaveProperty(field)
  })

  it.each(['nextPage', 'skipToken'] as const)('ignores case in %s paging alike', async (reading) => {
    const target = await startWith({ searchPaging: reading })
    await createContact(target, { email: 'Mixed.Case@Example.com' })
    const found = await search(target, searchBody('email', 'mixed.case@example.COM'))
    expect(found.body.result.elements).toHaveLength(1)
  })

  it('pages search with a full nextPage URL (and its skipToken) by default', async () => {
    const target = await startWith({ searchPaging: 'nextPage' })
    for (const n of [1, 2, 3]) await createContact(target, { email: 'same@example.com', firstName: `n${n}` }, DIR_PLAIN)
    const first = (await search(target, searchBody('email', 'same@example.com'), DIR_PLAIN, '?pageSize=2')).body
    expect(first.result.nextPage).toMatch(
      new RegExp(`^${target.url}/API/v3/directories/${DIR_PLAIN}/contacts/search\\?`)
    )
    const next = await call(target, 'POST', first.result.nextPage, searchBody('email', 'same@example.com'))
    expect(next.body.result.elements.map((c: { firstName: string }) => c.firstName)).toEqual(['n3'])
    expect(next.body.result.nextPage).toBeNull()
  })

  it('pages search with only a skipToken to send back in the skipToken reading', async () => {
    const target = await startWith({ searchPaging: 'skipToken' })
    for (const n of [1, 2, 3]) await createContact(target, { email: 'same@example.com', firstName: `n${n}` }, DIR_PLAIN)
    const first = (await search(target, searchBody('email', 'same@example.com'), DIR_PLAIN, '?pageSize=2')).body
    expect(first.result).not.toHaveProperty('nextPage')
    expect(first.result.skipToken).toEqual(expect.any(String))
    const query = `?pageSize=2&skipToken=${encodeURIComponent(first.result.skipToken)}`
    const next = (await search(target, searchBody('email', 'same@example.com'), DIR_PLAIN, query)).body
    expect(next.result.elements.map((c: { firstName: string }) => c.firstName)).toEqual(['n3'])
    expect(next.result).not.toHaveProperty('skipToken')
    expect(next.result).not.toHaveProperty('nextPage')
  })
})

describe('nextPage on another Qualtrics host', () => {
  it('builds nextPage on the sandbox itself by default', async () => {
    const target = await startWith({ nextPageHost: 'sandbox' })
    const first = (await call(target, 'GET', api('/directories?pageSize=1'))).body
    expect(first.result.nextPage).toMatch(new RegExp(`^${target.url}/API/v3/directories\\?`))
  })

  it('names another host of the brand, which a test maps back to the sandbox to follow', async () => {
    const target = await startWith({ nextPageHost: 'otherQualtricsHost' })
    expect(OTHER_QUALTRICS_ORIGIN).toMatch(/^https:\/\/[a-z0-9-]+\.[a-z0-9]+\.qualtrics\.com$/)
    const first = (await call(target, 'GET', api('/directories?pageSize=1'))).body
    expect(first.result.nextPage).toMatch(new RegExp(`^${OTHER_QUALTRICS_ORIGIN}/API/v3/directories\\?`))
    const local = target.localUrl(first.result.nextPage)
    expect(local.startsWith(`${target.url}/API/v3/directories?`)).toBe(true)
    const second = (await call(target, 'GET', local)).body
    expect(second.result.elements[0].directoryId).toBe(DIR_EXTREF)
    // Members and mailing lists page the same way; an address elsewhere is left alone.
    for (const n of [1, 2])
      await call(target, 'POST', api(`/directories/${DIR}/mailinglists/${ML}/contacts`), { email: `m${n}@example.com` })
    const members = (await call(target, 'GET', api(`/directories/${DIR}/mailinglists/${ML}/contacts?pageSize=1`))).body
    expect(members.result.nextPage.startsWith(`${OTHER_QUALTRICS_ORIGIN}/`)).toBe(true)
    expect(target.localUrl('https://iad1.qualtrics.com/API/v3/whoami')).toBe('https://iad1.qualtrics.com/API/v3/whoami')
  })
})

describe('erasure without searchOnly', () => {
  const erase = (target: Sandbox, body: unknown) => call(target, 'POST', api('/op-erase-personal-data'), body)

  it('erases when searchOnly is left out, in the default reading', async () => {
    const target = await startWith({ erasureWithoutSearchOnly: 'erases' })
    await createContact(target, { email: 'gone@example.com' })
    expect((await erase(target, { emails: ['gone@example.com'] })).status).toBe(200)
    expect((await contactsIn(target)).map((c: { email: string }) => c.email)).toEqual(['seeded@example.com'])
    expect((await state(target)).erasureRequests[0]).toMatchObject({ searchOnly: false })
  })

  it('is a dry run when searchOnly is left out, in the dryRun reading; searchOnly: false erases', async () => {
    const target = await startWith({ erasureWithoutSearchOnly: 'dryRun' })
    await createContact(target, { email: 'kept@example.com' })
    expect((await erase(target, { emails: ['kept@example.com'] })).status).toBe(200)
    expect(await contactsIn(target)).toHaveLength(2)
    expect((await state(target)).erasureRequests[0]).toMatchObject({
      searchOnly: true,
      found: { contacts: 1 },
      removed: { contacts: 0 }
    })
    await erase(target, { emails: ['kept@example.com'], searchOnly: false })
    expect(await contactsIn(target)).toHaveLength(1)
  })
})

describe('PUT …/contacts/{id} and embedded data', () => {
  const update = (target: Sandbox, id: string, body: unknown) =>
    call(target, 'PUT', api(`/directories/${DIR}/contacts/${id}`), body)
  const embeddedOf = async (target: Sandbox, id: string) =>
    (await call(target, 'GET', api(`/directories/${DIR}/contacts/${id}`))).body.result.embeddedData

  it.each([
    ['mergesEmbeddedData', { plan: 'pro', seats: 3, region: 'eu' }],
    ['replacesEmbeddedData', { plan: 'pro' }]
  ] as const)('%s', async (reading, after) => {
    const target = await startWith({ contactUpdate: reading })
    const { id } = (
      await createContact(target, { email: 'e@example.com', embeddedData: { plan: 'free', seats: 3, region: 'eu' } })
    ).body.result
    expect((await update(target, id, { embeddedData: { plan: 'pro' } })).status).toBe(200)
    expect(await embeddedOf(target, id)).toEqual(after)
    // A PUT without embeddedData leaves it as it is in either reading.
    await update(target, id, { firstName: 'Eve' })
    expect(await embeddedOf(target, id)).toEqual(after)
  })
})

describe('deduplicationCriteria with several flags', () => {
  const listing = async (target: Sandbox) =>
    (await call(target, 'GET', api('/directories'))).body.result.elements.find(
      (d: { directoryId: string }) => d.directoryId === DIR_EXTREF
    ).deduplicationCriteria

  it('is one rule in the oneRule reading: every flagged field must match, and a contact lacking one is new', async () => {
    const target = await startWith({ deduplicationFlags: 'oneRule' })
    await createContact(target, { extRef: 'u-1', email: 'one@example.com' }, DIR_EXTREF)
    await createContact(target, { email: 'one@example.com' }, DIR_EXTREF)
    await createContact(target, { extRef: 'u-1', email: 'other@example.com' }, DIR_EXTREF)
    await createContact(target, { extRef: 'u-1', email: 'ONE@example.com', firstName: 'Merged' }, DIR_EXTREF)
    const contacts = await contactsIn(target, DIR_EXTREF)
    expect(contacts).toHaveLength(3)
    expect(contacts[0]).toMatchObject({ extRef: 'u-1', firstName: 'Merged' })
    expect(await listing(target)).toMatchObject({ externalDataReference: true, email: true, phone: false })
  })

  it('is one rule per flag in the oneRulePerFlag reading: any flagged field that matches merges', async () => {
    const target = await startWith({ deduplicationFlags: 'oneRulePerFlag' })
    await createContact(target, { extRef: 'u-1', email: 'one@example.com' }, DIR_EXTREF)
    await createContact(target, { email: 'one@example.com' }, DIR_EXTREF)
    await createContact(target, { extRef: 'u-1', email: 'other@example.com' }, DIR_EXTREF)
    expect(await contactsIn(target, DIR_EXTREF)).toHaveLength(1)
    expect(await listing(target)).toMatchObject({ externalDataReference: true, email: true, phone: false })
  })

  it.each([
    ['oneRule', { externalDataReference: true, email: false }],
    ['oneRulePerFlag', { externalDataReference: true, email: true }]
  ] as const)('lists two seeded rules in the %s reading as %j', async (reading, shown) => {
    const seed = testSeed()
    seed.directories[1] = {
      directoryId: DIR_EXTREF,
      deduplicationRules: [{ externalDataReference: true }, { email: true }]
    }
    sandbox = await startSandbox({ seed, readings: { deduplicationFlags: reading } })
    expect(await listing(sandbox)).toMatchObject(shown)
    // The rules themselves are the seed's in either reading: an email alone merges.
    await createContact(sandbox, { extRef: 'u-2', email: 'two@example.com' }, DIR_EXTREF)
    await createContact(sandbox, { email: 'two@example.com' }, DIR_EXTREF)
    expect(await contactsIn(sandbox, DIR_EXTREF)).toHaveLength(1)
  })
})
