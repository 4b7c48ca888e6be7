import { defaultValues, Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import { createQualtrics } from '../../src/destinations/qualtrics'
import type { QualtricsOptions } from '../../src/destinations/qualtrics'
import { startSandbox } from '../../src/sandbox'
import type { Sandbox } from '../../src/sandbox'
import {
  DIRECTORY_ID,
  MAILING_LIST_ID,
  SETTINGS,
  userEmail,
  workload,
  workloadSeed
} from '../../scripts/workload/events'
import { eachProfile } from '../profiles'

const USERS = 60
const EXISTING = 30

/** upsertContactTransaction with "Bulk import" on, over HTTP on 127.0.0.1 to the sandbox, as the bench drives it. */
function bulkImportAction(importPolling: QualtricsOptions['importPolling']) {
  const qualtrics = createQualtrics({ apiOrigin: sandbox.url, importPolling })
  const action = new Destination(qualtrics).actions.upsertContactTransaction
  const mapping = {
    ...defaultValues(qualtrics.actions.upsertContactTransaction.fields),
    directoryId: DIRECTORY_ID,
    mailingListId: MAILING_LIST_ID,
    bulkImport: true
  } as JSONObject
  return async (events: JSONObject[]) => {
    // An import takes only events dated close to now (docs/behaviour.md, Bulk import): the workload's dates move to now.
    const data = events.map((event) => ({ ...event, timestamp: new Date().toISOString() }))
    const nodes = await action.executeBatch({ data, mapping, settings: SETTINGS, auth: undefined })
    return (nodes as unknown as { status: number; errormessage?: string }[]).map((node) => node.status)
  }
}

function directoryOf(sandbox: Sandbox) {
  return sandbox.store.snapshot().directories.find((d) => d.directoryId === DIRECTORY_ID)!
}

let sandbox: Sandbox
eachProfile((profile) => {
  afterEach(() => sandbox.close())

  describe('bulk import against the sandbox', () => {
    it('imports a batch through failing and malformed status polls: one contact per person, a transaction per event, all listed', async () => {
      sandbox = await startSandbox({
        profile,
        seed: workloadSeed(EXISTING),
        timeScale: 20,
        faults: { seed: 3, rates: { 'imports.get': { status503: 0.4, malformed: 0.4 } } }
      })
      // Short pauses, so that the four in five polls the faults spoil do not take the minute's back-off.
      const send = bulkImportAction({ deadlineMs: 20_000, firstPollMs: 50, maxPollMs: 100 })
      const events = workload(['transaction'], 300, USERS) as unknown as JSONObject[]
      const statuses = await send(events)
      expect(statuses.every((status) => status === 200)).toBe(true)

      const directory = directoryOf(sandbox)
      const emails = directory.contacts.map((c) => c.email?.toLowerCase())
      expect(new Set(emails)).toEqual(new Set(Array.from({ length: USERS }, (_, user) => userEmail(user))))
      expect(emails).toHaveLength(USERS)
      const messageIds = directory.transactions.map((t) => t.data.segmentMessageId)
      expect(new Set(messageIds).size).toBe(300)
      expect(messageIds).toHaveLength(300)
      for (const contact of directory.contacts) {
        expect(Object.keys(sandbox.store.getContact(DIRECTORY_ID, contact.id).mailingListMembership)).toEqual([
          MAILING_LIST_ID
        ])
      }
      const stats = sandbox.stats()
      expect(stats.byEndpoint['imports.create']).toEqual({ '200': 1 })
      expect(stats.faults.status503).toBeGreaterThan(0)
      expect(stats.faults.malformed).toBeGreaterThan(0)
    })

    it('reports an import slower than the wait retryable; the resend merges into the same contacts but adds the transactions again', async () => {
      sandbox = await startSandbox({ profile, seed: workloadSeed(EXISTING), timeScale: 1 })
      const send = bulkImportAction({ deadlineMs: 300, firstPollMs: 50, maxPollMs: 100 })
      const events = workload(['transaction'], 100, USERS) as unknown as JSONObject[]
      expect(new Set(await send(events))).toEqual(new Set([504]))

      // Let the first import finish (1 s to start, 100 records at 200 a second), then send again as Segment would.
      sandbox.clock.advance(5000)
      expect(sandbox.store.snapshot().imports[0]).toMatchObject({ status: 'complete', counts: { failed: 0 } })
      // The resend's import takes 1.5 s of real time here: the wait (of another instance) is long enough this time.
      const resend = bulkImportAction({ deadlineMs: 5000, firstPollMs: 50, maxPollMs: 200 })
      expect(new Set(await resend(events))).toEqual(new Set([200]))

      const directory = directoryOf(sandbox)
      expect(new Set(directory.contacts.map((c) => c.email?.toLowerCase())).size).toBe(directory.contacts.length)
      const messageIds = directory.transactions.map((t) => t.data.segmentMessageId)
      expect(messageIds).toHaveLength(200)
      expect(new Set(messageIds).size).toBe(100)
    })
  })
})
