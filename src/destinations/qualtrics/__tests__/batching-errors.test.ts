import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import { failed, settle, toMultiStatus } from '../batching'
import { withAnswer } from '../client'
import {
  API_TOKEN,
  DIRECTORY,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from './__helpers__/qualtrics'
import { CONTACTS, SEARCH, TRANSACTIONS } from './__helpers__/transactions'
import { batchesOn, entry, purchase, searchBy } from './__helpers__/batching'
import type { Node } from './__helpers__/batching'
import { instanceForEachTest } from './__helpers__/instance'

const instance = instanceForEachTest()
const { multistatus, statuses, transactionsBatch } = batchesOn(instance)

describe("batch error entries carry what was sent and Qualtrics' answer", () => {
  const nodeOf = (index: number) => multistatus()[index] as Node & { errorreporter?: string }

  it('an unprocessed transaction: sent and body, so Segment attributes it to the destination', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(
        200,
        ok({
          createdTransactions: { 'msg-1': { id: 'CTR_1' } },
          unprocessedTransactions: { 'msg-2': { error: 'INVALID', errorMessage: `Archived list (${API_TOKEN})` } }
        })
      )
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 400])
    const refused = nodeOf(1)
    expect(refused.sent).toEqual({ 'msg-2': entry('CID_9', 2) })
    expect(refused.body).toEqual({
      unprocessedTransactions: { 'msg-2': { error: 'INVALID', errorMessage: 'Archived list ([redacted])' } },
      requestId: 'req-ok'
    })
    expect(refused.errorreporter).toBe('DESTINATION')
    expect(JSON.stringify(multistatus())).not.toContain(API_TOKEN)
  })

  it('a refused request: its answer (token redacted) is the body of every event in it', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(400, qualtricsError(400, `token ${API_TOKEN} cannot do that`))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([400, 400])
    for (const index of [0, 1]) {
      expect(nodeOf(index).body).toEqual(qualtricsError(400, 'token [redacted] cannot do that'))
      expect(nodeOf(index).errorreporter).toBe('DESTINATION')
    }
    expect(JSON.stringify(multistatus())).not.toContain(API_TOKEN)
  })

  it('an error raised before anything is sent has neither, and stays with the integration', async () => {
    // "2024" passes actions-core's date check but not the action's: refused in performBatch, before sending.
    await transactionsBatch([purchase(1, { timestamp: '2024' })], { contactId: 'CID_9' })
    expect(statuses()).toEqual([400])
    expect(nodeOf(0)).not.toHaveProperty('sent')
    expect(nodeOf(0)).not.toHaveProperty('body')
    expect(nodeOf(0).errormessage).toMatch(/Date & time of transaction "2024" is not a date/)
    expect(nodeOf(0).errorreporter).toBe('INTEGRATIONS')
  })
})

describe('a 2xx in a batch is never reported retryable', () => {
  it('a transaction missing from both maps succeeds with a note naming the request id', async () => {
    qualtrics()
      .post(TRANSACTIONS)
      .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 200])
    expect(multistatus()[1].body).toEqual({
      contactId: 'CID_9',
      contact: 'given',
      note: 'Qualtrics accepted the request to add the transaction, but its answer reports "msg-2" in neither createdTransactions nor unprocessedTransactions (request id req-ok)'
    })
  })

  it('an answer without either map: every transaction in it succeeds with a note', async () => {
    qualtrics().post(TRANSACTIONS).reply(200, ok({}))
    await transactionsBatch([purchase(1), purchase(2)], { contactId: 'CID_9' })
    expect(statuses()).toEqual([200, 200])
    for (const node of multistatus()) {
      expect(node.body?.note).toMatch(/has no createdTransactions or unprocessedTransactions \(request id req-ok\)/)
    }
  })

  it('a created contact without an id, or a search without a list: final (422), with the answer as body', async () => {
    searchBy('user-1', [])
    qualtrics().post(CONTACTS, { extRef: 'user-1' }).reply(200, ok({}))
    qualtrics()
      .post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-2' } })
      .reply(200, ok({ elements: null }))
    await transactionsBatch([purchase(1), purchase(2)])
    expect(statuses()).toEqual([422, 422])
    expect(multistatus()[0].errormessage).toBe(
      'Qualtrics answered the request to create the contact without a contact id (request id req-ok)'
    )
    expect(multistatus()[1].body).toEqual(ok({ elements: null }))
  })

  it('upsertContact: a 2xx without a contact id is not retryable either', async () => {
    qualtrics().post(CONTACTS, { extRef: 'u1' }).reply(200, ok({}))
    await instance.testDestination.testBatchAction('upsertContact', {
      events: [{ type: 'identify', userId: 'u1', traits: {} }] as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true
    })
    expect(isRetryableStatus(statuses()[0])).toBe(false)
  })
})

describe('toMultiStatus and settle', () => {
  const refusal = () =>
    withAnswer(new IntegrationError('Qualtrics refused', 'NOT_FOUND', 404), { meta: { requestId: 'r1' } })

  it('fills sent and body for an error entry; failed(error) alone still works', () => {
    const [withSent, alone] = toMultiStatus([failed(refusal(), { extRef: 'u1' }), failed(refusal())]).getAllResponses()
    expect(withSent.value()).toMatchObject({ status: 404, sent: { extRef: 'u1' }, body: { meta: { requestId: 'r1' } } })
    expect(alone.value()).toEqual({
      status: 404,
      errortype: 'NOT_FOUND',
      errormessage: 'Qualtrics refused',
      body: { meta: { requestId: 'r1' } }
    })
  })

  it('settle keeps what was sent only for an error from a request Qualtrics was sent', async () => {
    const fromQualtrics = await settle(() => Promise.reject(refusal()), { extRef: 'u1' })
    const beforeSending = await settle(() => Promise.reject(new PayloadValidationError('bad')), { extRef: 'u1' })
    expect(fromQualtrics).toMatchObject({ ok: false, sent: { extRef: 'u1' } })
    expect(beforeSending).not.toHaveProperty('sent')
  })
})
