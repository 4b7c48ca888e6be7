import { createRequestClient, createTestIntegration } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import { PassThrough } from 'node:stream'
import { createQualtrics, createState } from '..'
import { QualtricsClient } from '../client'
import { API_TOKEN, DIRECTORY, MAILING_LIST, isRetryableStatus, ok, qualtrics, settings } from './__helpers__/qualtrics'

const DIR = `/API/v3/directories/${DIRECTORY}`
const SEARCH = `${DIR}/contacts/search?pageSize=100`
// Long enough for the headers to arrive first (the test is about what comes after them), short enough to wait for.
const TIMEOUT_MS = 300

/**
 * A body that starts and then stalls: the headers (200, JSON) and a first chunk go out, the rest never does. The
 * streams are ended after each test so that nothing is left open.
 */
const stalled: PassThrough[] = []
function stallingBody(): PassThrough {
  const body = new PassThrough()
  body.write('{"result":{"elements":[')
  stalled.push(body)
  return body
}

// The first request in a process loads nock's interceptors lazily, slowly enough to delay its headers past the
// timeout; one request beforehand keeps that out of the tests.
beforeAll(async () => {
  qualtrics()
    .get('/API/v3/whoami')
    .reply(200, ok({ userName: 'warm-up' }))
  await new QualtricsClient(createRequestClient(), settings, createState()).whoami()
})

afterEach(() => {
  for (const body of stalled.splice(0)) body.destroy()
})

describe('a body that stalls after the headers', () => {
  const client = () =>
    new QualtricsClient(createRequestClient(), settings, createState({ requestTimeoutMs: TIMEOUT_MS }))

  it('rejects within the timeout with a retryable 504 that never carries the token', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, () => stallingBody(), { 'content-type': 'application/json' })
    const error = await client()
      .listDirectories()
      .catch((e) => e)
    expect(error.message).toBe(`Qualtrics could not list directories: no answer within ${TIMEOUT_MS} ms`)
    expect(error.status).toBe(504)
    expect(isRetryableStatus(error.status)).toBe(true)
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(API_TOKEN)
  })

  it('also through the request client actions-core gives an action (which cannot take a signal)', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, () => stallingBody(), { 'content-type': 'application/json' })
    const error = await createTestIntegration(createQualtrics({ requestTimeoutMs: TIMEOUT_MS }))
      .testAuthentication(settings)
      .catch((e) => e)
    expect(error.message).toContain(`no answer within ${TIMEOUT_MS} ms`)
    expect(error.message).not.toContain(API_TOKEN)
  })
})

describe('a shared contact lookup that times out', () => {
  const testDestination = createTestIntegration(createQualtrics({ requestTimeoutMs: TIMEOUT_MS }))
  beforeEach(() => testDestination.responses.splice(0))

  const transaction = (messageId: string): Partial<SegmentEvent> => ({
    type: 'track',
    event: 'Transaction Created',
    userId: 'stalled-user',
    messageId,
    timestamp: '2024-03-01T10:00:00.000Z',
    properties: {}
  })
  const run = (messageId: string) =>
    testDestination.testAction('upsertContactTransaction', {
      event: transaction(messageId) as SegmentEvent,
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST },
      useDefaultMappings: true
    })
  const search = () =>
    qualtrics().post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'stalled-user' } })

  it('fails its event as retryable and is dropped, so the next event for that person starts afresh', async () => {
    search().reply(200, () => stallingBody(), { 'content-type': 'application/json' })
    const first = await run('msg-1').catch((e) => e)
    expect(first.message).toBe(`Qualtrics could not search the directory by extRef: no answer within ${TIMEOUT_MS} ms`)
    expect(first.status).toBe(504)

    // A later event for the same person searches again instead of waiting on the lookup that timed out.
    const again = search().reply(200, ok({ elements: [{ id: 'CID_1' }] }))
    const transactions = qualtrics()
      .post(`${DIR}/transactions`, (body) => body['msg-2']?.contactId === 'CID_1')
      .reply(200, ok({ createdTransactions: { 'msg-2': { id: 'CTR_2' } } }))
    await run('msg-2')
    expect(again.isDone() && transactions.isDone()).toBe(true)
    expect(testDestination.results.at(-1)?.data).toMatchObject({ transactionId: 'CTR_2', contactId: 'CID_1' })
  })
})
