import type { RequestClient, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { QualtricsClient, REQUEST_TIMEOUT_MS } from '../client'
import { API, API_TOKEN, DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './__helpers__/qualtrics'
import {
  ACCESS_TOKEN,
  BASIC,
  CLIENT_ID,
  CLIENT_SECRET,
  issued,
  oauthSettings,
  tokenEndpoint,
  withBearer
} from './__helpers__/oauth'
import { instanceForEachTest } from './__helpers__/instance'

const instance = instanceForEachTest()
const WORKFLOW = '/inbound-event/v1/events/json/triggers?urlTokenId=s1'
const echo = (status: number) => ({
  meta: { httpStatus: `${status}`, requestId: `token ${API_TOKEN}`, error: { errorMessage: `bad token ${API_TOKEN}` } }
})

/** Every string an error carries, its message, its own fields and anything nested, as one text. */
const everything = (error: unknown) =>
  `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error, Object.getOwnPropertyNames(error))}`

/** Every form of the OAuth secrets that must never leave: the secret, the Basic credentials and the access token. */
const OAUTH_LEAKS = [CLIENT_SECRET, BASIC.slice('Basic '.length), ACCESS_TOKEN]
const expectNoOAuthLeak = (text: string) => {
  for (const leak of OAUTH_LEAKS) expect(text).not.toContain(leak)
}

describe('the API token', () => {
  it.each([400, 401, 403, 404, 413, 429, 500, 503])(
    'is not in a thrown error when Qualtrics echoes it back (%s)',
    async (status) => {
      qualtrics().post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(status, echo(status))
      const error = await instance.testDestination
        .testAction('upsertContact', {
          event: { type: 'identify', userId: 'u1' },
          settings,
          mapping: { directoryId: DIRECTORY },
          useDefaultMappings: true
        })
        .catch((e) => e)
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toContain('[redacted]')
      expect(everything(error)).not.toContain(API_TOKEN)
    }
  )

  it('is not in a timeout or a dropped connection error', async () => {
    const client = new QualtricsClient(
      (() =>
        Promise.reject(
          Object.assign(new Error(`socket closed for ${API_TOKEN}`), { code: 'ECONNRESET' })
        )) as unknown as RequestClient,
      settings,
      instance.state
    )
    const error = await client.whoami().catch((e) => e)
    expect(error.message).toMatch(/connection failed \(ECONNRESET\)/)
    expect(everything(error)).not.toContain(API_TOKEN)
  })

  it('is not in any batch result', async () => {
    qualtrics().post(`/API/v3/directories/${DIRECTORY}/transactions`).reply(500, echo(500))
    await instance.testDestination.testBatchAction('upsertContactTransaction', {
      events: [{ type: 'track', event: 'Transaction Created', userId: 'u1', messageId: 'm1' }] as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: 'CID_1' },
      useDefaultMappings: true
    })
    const results = JSON.stringify(instance.testDestination.results)
    expect(results).toContain('[redacted]')
    expect(results).not.toContain(API_TOKEN)
  })

  // Qualtrics' 2xx answers are read as they came; what an event's result shows of them is redacted.
  it("is not in a refused transaction's reason, single or in a batch, nor in its answer", async () => {
    const refusedEchoing = () =>
      qualtrics()
        .post(`/API/v3/directories/${DIRECTORY}/transactions`)
        .reply(200, (_uri, body) =>
          ok({
            unprocessedTransactions: Object.fromEntries(
              Object.keys(body as object).map((key) => [key, { errorMessage: `bad token ${API_TOKEN}` }])
            )
          })
        )
    const run = {
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: 'CID_1' },
      useDefaultMappings: true
    }
    const event = { type: 'track', event: 'Transaction Created', userId: 'u1', messageId: 'm1' } as SegmentEvent
    refusedEchoing()
    const error = await instance.testDestination
      .testAction('upsertContactTransaction', { ...run, event })
      .catch((e) => e)
    expect(error.message).toMatch(/did not add the transaction: bad token \[redacted\]/)
    expect(everything(error)).not.toContain(API_TOKEN)
    refusedEchoing()
    await instance.testDestination.testBatchAction('upsertContactTransaction', { ...run, events: [event] })
    const results = JSON.stringify(instance.testDestination.results)
    expect(results).toContain('bad token [redacted]')
    expect(results).not.toContain(API_TOKEN)
  })

  it("is not in a workflow's answer, which the event's result shows", async () => {
    nock(API, { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(WORKFLOW)
      .reply(202, { echo: `token ${API_TOKEN}` })
    await instance.testDestination.testAction('triggerXflow', {
      event: { type: 'track', event: 'x' },
      settings,
      mapping: { workflowUrl: `${API}${WORKFLOW}` }
    })
    const results = JSON.stringify(instance.testDestination.results)
    expect(results).toContain('token [redacted]')
    expect(results).not.toContain(API_TOKEN)
  })

  it('goes to a workflow only on a Qualtrics host, in the header or Basic credentials', async () => {
    nock(API, { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(WORKFLOW)
      .reply(202, {})
    await instance.testDestination.testAction('triggerXflow', {
      event: { type: 'track', event: 'x' },
      settings,
      mapping: { workflowUrl: `${API}${WORKFLOW}` }
    })
    // A foreign host gets nothing at all: no interceptor is declared, and an undeclared request fails the test.
    await expect(
      instance.testDestination.testAction('triggerXflow', {
        event: { type: 'track', event: 'x' },
        settings,
        mapping: { workflowUrl: 'https://collector.example.com/hook' }
      })
    ).rejects.toThrow(/never sent to other hosts/)
  })
})

describe('the OAuth client secret and access token', () => {
  const echoAll = { error: 'invalid_request', error_description: `bad ${CLIENT_SECRET} ${BASIC} ${ACCESS_TOKEN}` }
  const identifyWithOAuth = () =>
    instance.testDestination
      .testAction('upsertContact', {
        event: { type: 'identify', userId: 'u1' },
        settings: oauthSettings,
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
      .catch((e) => e)

  it('are not in a token request error, even when Qualtrics echoes them back', async () => {
    tokenEndpoint().reply(400, echoAll)
    const error = await identifyWithOAuth()
    expect(error.message).toMatch(/could not issue an OAuth access token \(400 invalid_request: bad \[redacted\]/)
    // This client never obtained ACCESS_TOKEN, so it is none of its secrets: only its own secret and Basic
    // credentials are redacted (there is no process-wide list of every token seen).
    for (const leak of [CLIENT_SECRET, BASIC.slice('Basic '.length)]) expect(everything(error)).not.toContain(leak)
  })

  it('are not in a renewal error that echoes the access token the client used before', async () => {
    tokenEndpoint().reply(200, issued())
    withBearer().post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(401, {})
    tokenEndpoint().reply(400, echoAll)
    const error = await identifyWithOAuth()
    expect(error.message).toMatch(/could not issue an OAuth access token \(400 invalid_request: bad \[redacted\]/)
    expectNoOAuthLeak(everything(error))
  })

  it.each([401, 500])('are not in an API error that echoes them (%s)', async (status) => {
    tokenEndpoint().reply(200, issued())
    withBearer()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .reply(status, { meta: { error: { errorMessage: echoAll.error_description } } })
    if (status === 401) {
      tokenEndpoint().reply(200, issued())
      withBearer().post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(status, {})
    }
    const error = await identifyWithOAuth()
    expect(error).toBeInstanceOf(Error)
    expectNoOAuthLeak(everything(error))
  })

  it('are not in any batch result', async () => {
    tokenEndpoint().reply(200, issued())
    withBearer().post(`/API/v3/directories/${DIRECTORY}/transactions`).reply(500, echoAll)
    await instance.testDestination.testBatchAction('upsertContactTransaction', {
      events: [{ type: 'track', event: 'Transaction Created', userId: 'u1', messageId: 'm1' }] as SegmentEvent[],
      settings: oauthSettings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: 'CID_1' },
      useDefaultMappings: true
    })
    const results = JSON.stringify(instance.testDestination.results)
    expect(results).toContain('[redacted]')
    expectNoOAuthLeak(results)
  })

  it('are not in a settings error', async () => {
    const error = await instance.testDestination
      .testAction('upsertContact', {
        event: { type: 'identify', userId: 'u1' },
        settings: { datacenter: 'iad1', clientSecret: CLIENT_SECRET },
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
      .catch((e) => e)
    expect(error.message).toMatch(/Client ID is missing/)
    expectNoOAuthLeak(everything(error))
  })

  it('go nowhere near a workflow: it gets the API token only, and no token is fetched for it', async () => {
    // Only the workflow is declared: a token request would be undeclared and fail the test.
    const scope = nock(API, { reqheaders: { 'x-api-token': API_TOKEN }, badheaders: ['authorization'] })
      .post(WORKFLOW, (body) => !JSON.stringify(body).includes(CLIENT_SECRET))
      .reply(202, {})
    await instance.testDestination.testAction('triggerXflow', {
      event: { type: 'track', event: 'x', properties: { id: CLIENT_ID } },
      settings: { ...oauthSettings, apiToken: API_TOKEN },
      mapping: { workflowUrl: `${API}${WORKFLOW}` }
    })
    expect(scope.isDone()).toBe(true)
  })
})

describe('every outbound request', () => {
  it('carries a timeout and never follows a redirect', async () => {
    const seen: Array<{ url: string; timeout?: number | false; redirect?: string }> = []
    const recordingRequest = ((url: string, options: { timeout?: number | false; redirect?: string }) => {
      seen.push({ url, timeout: options.timeout, redirect: options.redirect })
      const listing = url.includes('/directories') && !url.includes('/contacts')
      let result: object = { id: 'CID_1', userName: 'u' }
      if (url.includes('/transactions')) result = { createdTransactions: { k: { id: 'T' } } }
      else if (url.includes('/search')) result = { elements: [] }
      else if (listing) result = { elements: [], nextPage: null }
      return Promise.resolve({ status: 200, data: { result }, headers: { get: () => null } })
    }) as unknown as RequestClient
    const client = new QualtricsClient(recordingRequest, settings, instance.state)
    await client.whoami()
    await client.listDirectories()
    await client.listMailingLists(DIRECTORY)
    await client.createContact(DIRECTORY, { extRef: 'u' })
    await client.searchContacts(DIRECTORY, 'extRef', 'u')
    await client.createTransactions(DIRECTORY, {
      k: { contactId: 'c', mailingListId: 'm', transactionDate: '2024-01-01 00:00:00', data: {} }
    })
    await client.triggerWorkflow(`${API}${WORKFLOW}`, {})
    expect(seen).toHaveLength(7)
    for (const request of seen) {
      expect(request).toMatchObject({ timeout: REQUEST_TIMEOUT_MS, redirect: 'manual' })
    }
  })
})
