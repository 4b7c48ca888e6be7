import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import type { SandboxSeed } from '../../src/sandbox'
import { AUDIENCE_KEY, audienceEvent, memberEmail } from '../../scripts/workload/audience'
import type { AudienceChange } from '../../scripts/workload/audience'
import { tempFolder } from './tracking/helpers'
import { eachProfile } from '../profiles'

// Create audience → backfill → exits over real HTTP on 127.0.0.1: the local server's routes, the destination, and
// the sandbox's mailing lists. The list must end holding exactly who Engage last said is in the audience.
const TOKEN = 'audience-e2e-token-5150'
const DIRECTORY = 'POOL_audiencee2e01'
const NO_DEDUPLICATION = 'POOL_audiencee2e02'
const OTHER_LIST = 'CG_othere2e0001'
const EXISTING = 10
const SEED: SandboxSeed = {
  users: [{ token: TOKEN, userName: 'audience@example.com', brandId: 'audience-brand' }],
  directories: [
    {
      directoryId: DIRECTORY,
      name: 'Audiences',
      deduplicationCriteria: { email: true },
      mailingLists: [{ mailingListId: OTHER_LIST, name: 'Another list', members: ['CID_existing00000'] }],
      // People 0 … 9 are contacts already; person 0 is also in another list, which must not change.
      contacts: Array.from({ length: EXISTING }, (_, person) => ({
        id: `CID_existing${String(person).padStart(5, '0')}`,
        email: memberEmail(person).toUpperCase()
      }))
    },
    { directoryId: NO_DEDUPLICATION, name: 'No deduplication' }
  ],
  workflows: []
}

eachProfile((profile) => {
  let runtime: LocalRuntime
  const queue = tempFolder()

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
      seed: SEED,
      log: () => undefined,
      tracking: { queueFolder: queue.folder },
      sandbox: { faults: { indexLagMs: 1000 }, profile }
    })
  })
  afterAll(async () => {
    await runtime.close()
    queue.remove()
  })

  async function post(path: string, body: unknown) {
    const response = await fetch(`${runtime.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    const text = await response.text()
    expect(text).not.toContain(TOKEN)
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: JSON.parse(text) as any }
  }

  /** The list's members as Qualtrics' API pages them (50 at most a page), by email. */
  async function listedEmails(mailingListId: string): Promise<string[]> {
    const emails: string[] = []
    let next: string | null =
      `${runtime.sandbox!.url}/API/v3/directories/${DIRECTORY}/mailinglists/${mailingListId}/contacts?pageSize=50`
    while (next) {
      // Under the strict profile a next page names another Qualtrics host, which the sandbox answers for.
      const reply = await fetch(runtime.sandbox!.localUrl(next), { headers: { 'x-api-token': TOKEN } })
      expect(reply.status).toBe(200)
      const body = (await reply.json()) as { result: { elements: { email: string }[]; nextPage: string | null } }
      emails.push(...body.result.elements.map((member) => member.email.toLowerCase()))
      next = body.result.nextPage
    }
    return emails.sort()
  }

  const directoryState = () => runtime.sandbox!.store.snapshot().directories.find((d) => d.directoryId === DIRECTORY)!

  /** Sends changes through the batch path of the action route, as Engage's batches arrive; statuses in order. */
  async function sync(changes: AudienceChange[], externalId: string, first: number, mapping: object = {}) {
    const payload = changes.map((change, i) => audienceEvent(change, externalId, first + i))
    const { status, body } = await post('/syncAudience', { payload, mapping })
    expect(status).toBe(200)
    return (body.results as { status: number }[]).map((result) => result.status)
  }

  const people = (from: number, to: number, member: boolean) =>
    Array.from({ length: to - from }, (_, i) => ({ person: from + i, member }))
  const emailsOf = (persons: number[]) => persons.map(memberEmail).sort()

  describe('end to end: an Engage audience mirrored to a mailing list over HTTP', () => {
    it('creates the audience, backfills it, applies exits and re-entries: the list equals the audience', async () => {
      const created = await post('/createAudience', {
        audienceName: 'Cart abandoners',
        audienceSettings: { directoryId: DIRECTORY }
      })
      expect(created.status).toBe(200)
      const externalId: string = created.body.externalId
      expect(externalId).toMatch(new RegExp(`^${DIRECTORY}:CG_[0-9a-f]+$`))
      const mailingListId = externalId.split(':')[1]
      expect(directoryState().mailingLists.find((l) => l.mailingListId === mailingListId)?.name).toBe('Cart abandoners')
      const checked = await post('/getAudience', { externalId, audienceSettings: { directoryId: DIRECTORY } })
      expect([checked.status, checked.body.externalId]).toEqual([200, externalId])

      // Backfill: 120 people in two batches, 10 of them contacts already (their email in another case).
      const backfill = people(0, 120, true)
      expect(await sync(backfill.slice(0, 60), externalId, 0)).toEqual(Array(60).fill(200))
      expect(await sync(backfill.slice(60), externalId, 60)).toEqual(Array(60).fill(200))
      runtime.sandbox!.clock.advance(1000)
      expect(await listedEmails(mailingListId)).toEqual(emailsOf(backfill.map((c) => c.person)))

      // Exits of 0 … 29, a re-entry of 5, a newcomer 200 who enters and leaves in the same batch, and 201 who stays.
      const changes: AudienceChange[] = [
        ...people(0, 30, false),
        { person: 5, member: true },
        { person: 200, member: true },
        { person: 201, member: true },
        { person: 200, member: false }
      ]
      expect(await sync(changes, externalId, 1000)).toEqual(Array(changes.length).fill(200))
      runtime.sandbox!.clock.advance(1000)
      const expected = [5, ...Array.from({ length: 90 }, (_, i) => 30 + i), 201]
      expect(await listedEmails(mailingListId)).toEqual(emailsOf(expected))

      // One contact per person ever added, the existing ones kept (their ids), exited people still in the directory;
      // 200's entry and exit in one batch collapsed to the exit, so 200 was never added.
      const directory = directoryState()
      const emails = directory.contacts.map((c) => c.email!.toLowerCase())
      expect(new Set(emails).size).toBe(emails.length)
      expect(emails.sort()).toEqual(emailsOf([...Array.from({ length: 120 }, (_, i) => i), 201]))
      expect(directory.contacts.filter((c) => c.id.startsWith('CID_existing'))).toHaveLength(EXISTING)
      // Another list is left alone, and membership shows on the contact.
      expect(directory.mailingLists.find((l) => l.mailingListId === OTHER_LIST)?.members).toEqual([
        expect.objectContaining({ contactId: 'CID_existing00000' })
      ])
      const five = await fetch(`${runtime.sandbox!.url}/API/v3/directories/${DIRECTORY}/contacts/CID_existing00005`, {
        headers: { 'x-api-token': TOKEN }
      })
      expect(
        Object.keys(((await five.json()) as { result: { mailingListMembership: object } }).result.mailingListMembership)
      ).toEqual([mailingListId])
    })

    it('records membership on the contact as segment_<audience key> when asked', async () => {
      const { body } = await post('/createAudience', {
        audienceName: 'VIP',
        audienceSettings: { directoryId: DIRECTORY }
      })
      const mapping = { membershipOnContact: true }
      expect(
        await sync(
          [
            { person: 300, member: true },
            { person: 301, member: true }
          ],
          body.externalId,
          2000,
          mapping
        )
      ).toEqual([200, 200])
      // An exit reads the contact before it records membership on it (right whether PUT merges or replaces embedded
      // data), and a contact younger than the index lag cannot be read yet: the exit comes once it can.
      runtime.sandbox!.clock.advance(1000)
      expect(await sync([{ person: 301, member: false }], body.externalId, 2002, mapping)).toEqual([200])
      const byEmail = new Map(directoryState().contacts.map((c) => [c.email?.toLowerCase(), c.embeddedData]))
      expect(byEmail.get(memberEmail(300))).toMatchObject({ [`segment_${AUDIENCE_KEY}`]: 'true' })
      expect(byEmail.get(memberEmail(301))).toMatchObject({ [`segment_${AUDIENCE_KEY}`]: 'false' })
    })

    it('ABC leaving the audience does not remove abc (the sandbox’s search, like Qualtrics’, ignores case)', async () => {
      const { body } = await post('/createAudience', {
        audienceName: 'Case',
        audienceSettings: { directoryId: DIRECTORY }
      })
      const mailingListId = body.externalId.split(':')[1]
      // abc and ABC, each with the same email in its own case: every search for ABC answers abc's contact.
      const as = (userId: string, member: boolean, n: number) => {
        const event = audienceEvent({ person: 0, member }, body.externalId, n)
        const email = `${userId}@example.com`
        return event.traits
          ? { ...event, userId, traits: { ...event.traits, email } }
          : { ...event, userId, context: { ...event.context, traits: { email } } }
      }
      const send = async (userId: string, member: boolean, n: number) => {
        const { body: sent } = await post('/syncAudience', { payload: [as(userId, member, n)] })
        return sent.results[0]
      }
      expect(await send('abc', true, 3000)).toMatchObject({ status: 200, body: { action: 'added' } })
      runtime.sandbox!.clock.advance(1000)
      expect(await send('ABC', false, 3002)).toMatchObject({ status: 200, body: { action: 'none', nearMatchCount: 1 } })
      expect(await listedEmails(mailingListId)).toEqual(['abc@example.com'])
    })

    it('refuses to create an audience in a directory whose deduplication would not match members', async () => {
      const refused = await post('/createAudience', {
        audienceName: 'Nowhere',
        audienceSettings: { directoryId: NO_DEDUPLICATION }
      })
      expect(refused.status).toBeGreaterThanOrEqual(400)
      expect(JSON.stringify(refused.body)).toMatch(/deduplication/i)
      const state = runtime.sandbox!.store.snapshot().directories.find((d) => d.directoryId === NO_DEDUPLICATION)!
      expect(state.mailingLists).toEqual([])
    })
  })
})
