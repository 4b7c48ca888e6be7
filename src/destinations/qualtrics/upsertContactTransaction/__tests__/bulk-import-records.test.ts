import type { SegmentEvent, StatsContext } from '@segment/actions-core'
import { API_TOKEN, DIRECTORY, MAILING_LIST, ok, qualtrics } from '../../__tests__/__helpers__/qualtrics'
import { DIR, purchase, statsMock } from '../../__tests__/__helpers__/transactions'
import {
  batchCreated,
  BULK,
  bulkBatchOn,
  complete,
  directoryDeduplicatingOn,
  importAccepted,
  importStarted,
  inProgress,
  person,
  POLLING,
  RECENT,
  STATUS
} from '../../__tests__/__helpers__/bulk-import'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest({ importPolling: POLLING })
const bulkBatch = bulkBatchOn(instance)

describe('bulk import: what it refuses and what it sends otherwise', () => {
  it('refuses every event, naming the setting, when the directory does not deduplicate; nothing else is sent', async () => {
    const listing = directoryDeduplicatingOn()
    const nodes = await bulkBatch([person(1), person(2)])
    expect(listing.isDone()).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([400, 400])
    expect(nodes[0].errormessage).toMatch(/^Bulk import needs directory POOL_abc123 to deduplicate contacts/)
    expect(nodes[0].errormessage).toMatch(/Directory settings → Automatic deduplication/)
    expect(nodes[0].errormessage).toMatch(/turn "Bulk import" off/)
  })

  it('refuses every event when the directory deduplicates only on names, which no resend can rely on', async () => {
    directoryDeduplicatingOn('firstName', 'lastName')
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(400)
    expect(nodes[0].errormessage).toMatch(/and it deduplicates only on First Name and Last Name: an import sent again/)
  })

  it('fails the events with a final 404 when the credentials cannot list the directory', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [], nextPage: null }))
    const nodes = await bulkBatch([person(1)])
    expect(nodes[0].status).toBe(404)
    expect(nodes[0].errormessage).toMatch(/Directory POOL_abc123 is not among the directories/)
  })

  it('refuses alone an event without a field the directory deduplicates on, and imports the others', async () => {
    // Qualtrics would create such a record as a new contact (no merge rule applies), so it must never be sent.
    directoryDeduplicatingOn('email')
    batchCreated()
    const imported = importStarted([], (body) => {
      expect((body.contacts as { extRef: string }[]).map((c) => c.extRef)).toEqual(['user-1'])
      return true
    })
    qualtrics().get(STATUS).reply(200, complete(1))
    const nodes = await bulkBatch([person(1), { ...purchase(2, {}, 'user-2'), timestamp: RECENT }])
    expect(imported.isDone()).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([200, 400])
    expect(nodes[1].sent).toBeUndefined()
    expect(nodes[1].errormessage).toMatch(/deduplicates contacts on Email, and this event has no Email/)
  })

  it('fails a bad event alone before anything is sent for it: a date that does not exist, a blank message id', async () => {
    importAccepted()
    qualtrics().get(STATUS).reply(200, complete(1))
    const nodes = await bulkBatch([
      person(1),
      { ...person(2), timestamp: '2024-02-30T10:00:00Z' },
      { ...person(3), messageId: '   ' }
    ])
    expect(nodes.map((n) => n.status)).toEqual([200, 400, 400])
    expect(nodes[1].errormessage).toMatch(/that day or time does not exist/)
    expect(nodes[2].errormessage).toMatch(/Transaction key \(Message ID\) is missing/)
    expect(nodes[1].sent).toBeUndefined()
  })

  it('refuses a record bigger than one import can take, alone', async () => {
    importAccepted()
    qualtrics().get(STATUS).reply(200, complete(1))
    const huge = { ...person(2), properties: { blob: 'x'.repeat(5 * 1024 * 1024) } }
    const nodes = await bulkBatch([person(1), huge])
    expect(nodes.map((n) => n.status)).toEqual([200, 400])
    expect(nodes[1].errormessage).toMatch(/import record is \d+ bytes; one import takes at most 5 MB/)
  })

  it('sends an event with a Contact ID as a transaction, and a resent event (same message id) once', async () => {
    directoryDeduplicatingOn('email')
    batchCreated()
    const imported = importStarted([], (body) => {
      expect((body.contacts as unknown[]).map((c) => (c as { email: string }).email)).toEqual(['person1@example.com'])
      return true
    })
    qualtrics().get(STATUS).reply(200, complete(1))
    const direct = qualtrics()
      .post(
        `${DIR}/transactions`,
        (body) => Object.keys(body).join() === 'msg-9' && body['msg-9'].contactId === 'CID_9'
      )
      .reply(200, ok({ createdTransactions: { 'msg-9': { id: 'CTR_9' } } }))
    const withId = { ...person(9), properties: { orderId: 'o-9', contactId: 'CID_9' } }
    const nodes = await bulkBatch([person(1), withId, person(1)], { contactId: { '@path': '$.properties.contactId' } })
    expect(imported.isDone() && direct.isDone()).toBe(true)
    expect(nodes.map((n) => n.status)).toEqual([200, 200, 200])
    expect(nodes[1].body).toMatchObject({ transactionId: 'CTR_9', contact: 'given' })
    expect(nodes[2].body).toEqual(nodes[0].body)
  })

  it('leaves single events (no batch) to the request path', async () => {
    const search = qualtrics()
      .post(`${DIR}/contacts/search?pageSize=100`)
      .reply(200, ok({ elements: [{ id: 'CID_1' }] }))
    const sent = qualtrics()
      .post(`${DIR}/transactions`)
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await instance.testDestination.testAction('upsertContactTransaction', {
      event: person(1) as SegmentEvent,
      settings: { apiToken: API_TOKEN, datacenter: 'iad1' },
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, ...BULK },
      useDefaultMappings: true
    })
    expect(search.isDone() && sent.isDone()).toBe(true)
  })

  it('counts import jobs, their records and polls, and the import requests by endpoint', async () => {
    const stats = statsMock()
    importAccepted()
    qualtrics().get(STATUS).reply(200, inProgress()).get(STATUS).reply(200, complete(2))
    await bulkBatch([person(1), person(2)], {}, stats as unknown as StatsContext)
    const { incr, histogram } = stats.statsClient
    expect(incr).toHaveBeenCalledWith('qualtrics.import_job', 1, ['env:test', 'result:complete'])
    expect(histogram).toHaveBeenCalledWith('qualtrics.import_records', 2, ['env:test'])
    expect(histogram).toHaveBeenCalledWith('qualtrics.import_polls', 2, ['env:test'])
    for (const endpoint of ['transactionbatches.create', 'imports.create', 'imports.get']) {
      expect(incr).toHaveBeenCalledWith('qualtrics.request', 1, ['env:test', `endpoint:${endpoint}`, 'status:200'])
    }
  })
})
