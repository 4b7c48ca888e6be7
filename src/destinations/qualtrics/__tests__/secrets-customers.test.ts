import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { MIN_SEARCHED_SECRET_LENGTH, QualtricsClient, redactText, redactValue } from '../client'
import { API, API_TOKEN, DIRECTORY, MAILING_LIST, ok, settings } from './__helpers__/qualtrics'
import { ACCESS_TOKEN, CLIENT_SECRET, issued, oauthSettings, tokenEndpoint, withBearer } from './__helpers__/oauth'
import { instanceForEachTest } from './__helpers__/instance'

// One process serves many customers: a secret of one (an API token that happens to be a word Qualtrics' answers use)
// must change nothing in how another's answers are read, and redaction never forgets a customer's own secrets.
// A generous deadline: a finished import is read at the first poll.
const instance = instanceForEachTest({ importPolling: { deadlineMs: 10_000, firstPollMs: 5, maxPollMs: 40 } })
const DIR = `/API/v3/directories/${DIRECTORY}`
const TRANSACTIONS = `${DIR}/transactions`
const IMPORTS = `${DIR}/mailinglists/${MAILING_LIST}/transactioncontacts`
const IMPORT_ID = 'PGR_import000001'

/** Customer B: the usual settings, the usual token. */
const qualtricsB = () => nock(API, { reqheaders: { 'x-api-token': API_TOKEN } })
/** Customer A, whose API token is `token`: its own settings and its own Qualtrics scope. */
const customerA = (token: string) => ({
  settings: { apiToken: token, datacenter: 'iad1' },
  qualtrics: () => nock(API, { reqheaders: { 'x-api-token': token } })
})

const everything = (error: unknown) =>
  `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error, Object.getOwnPropertyNames(error))}`

/** Customer A's transaction, refused by Qualtrics with A's token echoed: A's error must not show it. */
async function aRefusedWithEcho(token: string): Promise<Error> {
  const a = customerA(token)
  a.qualtrics()
    .post(TRANSACTIONS)
    .reply(400, { meta: { requestId: 'req-a', error: { errorMessage: `bad token ${token}`, errorCode: 'BAD' } } })
  return instance.testDestination
    .testAction('upsertContactTransaction', {
      event: { type: 'track', event: 'Transaction Created', userId: 'a-1', messageId: 'a-m1' },
      settings: a.settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: 'CID_a' },
      useDefaultMappings: true
    })
    .then(
      () => new Error('customer A was expected to fail'),
      (error: Error) => error
    )
}

/** Customer B's transaction (contact given), answered by `answer(keys)`: the outcome B's event gets. */
async function bTransaction(answer: (keys: string[]) => unknown) {
  qualtricsB()
    .post(TRANSACTIONS)
    .reply(200, (_uri, body) => answer(Object.keys(body as object)))
  return instance.testDestination
    .testAction('upsertContactTransaction', {
      event: { type: 'track', event: 'Transaction Created', userId: 'b-1', messageId: 'b-m1' },
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: 'CID_b' },
      useDefaultMappings: true
    })
    .then(
      () => ({ ok: true as const, data: instance.testDestination.results.at(-1)?.data as Record<string, unknown> }),
      (error: Error & { status?: number }) => ({ ok: false as const, error })
    )
}

describe("one customer's API token never changes how another's answers are read", () => {
  it('a token equal to "unprocessedTransactions": B\'s refused transaction stays refused, A\'s echo stays hidden', async () => {
    const token = 'unprocessedTransactions'
    const [aError, b] = await Promise.all([
      aRefusedWithEcho(token),
      bTransaction((keys) =>
        ok({
          unprocessedTransactions: Object.fromEntries(keys.map((k) => [k, { errorMessage: 'Contact CID_b gone' }]))
        })
      )
    ])
    expect(b.ok).toBe(false)
    expect(b.ok ? undefined : b.error).toMatchObject({ status: 400, code: 'TRANSACTION_UNPROCESSED' })
    expect(b.ok ? '' : b.error.message).toMatch(/did not add the transaction: Contact CID_b gone \(request id req-ok\)/)
    expect(aError.message).toMatch(/\(400 Bad Request\): bad token \[redacted\]/)
    expect(everything(aError)).not.toContain(token)
  })

  it('a token equal to "createdTransactions": B\'s created transaction is read as created, with its id', async () => {
    const token = 'createdTransactions'
    const [aError, b] = await Promise.all([
      aRefusedWithEcho(token),
      bTransaction((keys) => ok({ createdTransactions: Object.fromEntries(keys.map((k) => [k, { id: 'CTR_b1' }])) }))
    ])
    expect(b).toMatchObject({ ok: true, data: { transactionId: 'CTR_b1', contactId: 'CID_b' } })
    expect(everything(aError)).not.toContain(token)
  })

  // "complete" is exactly MIN_SEARCHED_SECRET_LENGTH long, so it is searched for inside text.
  it.each(['complete', 'percentComplete'])(
    "a token equal to %j: B's bulk import is read as complete, not as running (a retried import imports again)",
    async (token) => {
      expect(token.length).toBeGreaterThanOrEqual(MIN_SEARCHED_SECRET_LENGTH)
      qualtricsB()
        .get('/API/v3/directories')
        .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { email: true } }] }))
        .post(`${DIR}/transactionbatches`)
        .reply(200, ok({ id: 'BT_batch000001' }))
        .post(IMPORTS)
        .reply(200, ok({ id: IMPORT_ID, contacts: { unprocessed: [] }, status: 'inProgress' }))
        .get(`${IMPORTS}/${IMPORT_ID}`)
        .reply(
          200,
          ok({
            percentComplete: 100,
            status: 'complete',
            contacts: { count: { added: 1, updated: 0, failed: 0 } },
            transactions: { count: { created: 1 } }
          })
        )
      const mapping = Object.fromEntries(
        Object.entries(instance.testDestination.definition.actions.upsertContactTransaction.fields).flatMap(
          ([key, field]) => (field.default === undefined ? [] : [[key, field.default]])
        )
      )
      const event: Partial<SegmentEvent> = {
        type: 'track',
        event: 'Transaction Created',
        userId: 'b-1',
        messageId: 'b-m1',
        timestamp: '2024-03-01T11:59:00.000Z',
        properties: { orderId: 'o-1' },
        context: { traits: { email: 'b1@example.com' } }
      }
      const [aError, nodes] = await Promise.all([
        aRefusedWithEcho(token),
        instance.testDestination.executeBatch('upsertContactTransaction', {
          events: [event as SegmentEvent],
          settings,
          mapping: { ...mapping, directoryId: DIRECTORY, mailingListId: MAILING_LIST, bulkImport: true } as JSONObject
        })
      ])
      expect(nodes).toMatchObject([{ status: 200, body: { importId: IMPORT_ID, contact: 'import' } }])
      expect(everything(aError)).not.toContain(token)
    }
  )

  it('keeps no list of secrets in the process: text is redacted only of the secrets given with it', () => {
    // Making a client with a token (as any customer's event does) must not make that token redacted elsewhere.
    new QualtricsClient(
      (() => Promise.reject(new Error('no request expected'))) as never,
      { apiToken: 'percentComplete', datacenter: 'iad1' },
      instance.state
    )
    const answer = { result: { percentComplete: 100, status: 'complete' } }
    expect(redactValue(answer, [])).toEqual(answer)
    expect(redactValue(answer, [API_TOKEN])).toEqual(answer)
    expect(redactText('percentComplete 100', ['another-secret'])).toBe('percentComplete 100')
  })
})

describe("a customer's own secrets are never forgotten", () => {
  it('an access token echoed after 65+ other customers were seen is still redacted (nothing is evicted)', async () => {
    // Customer X fetches its access token (it is kept in this process for later invocations).
    tokenEndpoint().reply(200, issued())
    withBearer()
      .post(`${DIR}/contacts`)
      .reply(200, ok({ id: 'CID_x' }))
    await instance.testDestination.testAction('upsertContact', {
      event: { type: 'identify', userId: 'x-1' },
      settings: oauthSettings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true
    })
    // Seventy other customers' invocations in the same process, each with its own token and OAuth secret.
    for (let n = 0; n < 70; n++) {
      const other = `other-customer-token-${String(n).padStart(4, '0')}`
      new QualtricsClient(
        (() => Promise.reject(new Error('no request expected'))) as never,
        { datacenter: 'iad1', apiToken: other, clientId: `client-${n}`, clientSecret: `${other}-secret` },
        instance.state
      )
    }
    // X's next invocation uses the kept token; Qualtrics echoes it (and the client secret) in an error.
    withBearer()
      .post(`${DIR}/contacts`)
      .reply(500, { meta: { error: { errorMessage: `bad ${ACCESS_TOKEN} for ${CLIENT_SECRET}` } } })
    const error = await instance.testDestination
      .testAction('upsertContact', {
        event: { type: 'identify', userId: 'x-1' },
        settings: oauthSettings,
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
      .then(
        () => new Error('customer X was expected to fail'),
        (e: Error) => e
      )
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toMatch(/bad \[redacted\] for \[redacted\]/)
    expect(everything(error)).not.toContain(ACCESS_TOKEN)
    expect(everything(error)).not.toContain(CLIENT_SECRET)
  })
})
