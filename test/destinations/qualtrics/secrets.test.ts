import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTestIntegration, type RequestClient, type SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import definition from '../../../src/destinations/qualtrics'
import { QualtricsClient, REQUEST_TIMEOUT_MS } from '../../../src/destinations/qualtrics/qualtrics-client'
import { API, API_TOKEN, DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './helpers'

const testDestination = createTestIntegration(definition)
const WORKFLOW = '/inbound-event/v1/events/json/triggers?urlTokenId=s1'
const echo = (status: number) => ({
  meta: { httpStatus: `${status}`, requestId: `token ${API_TOKEN}`, error: { errorMessage: `bad token ${API_TOKEN}` } }
})

/** Every string an error carries, its message, its own fields and anything nested, as one text. */
const everything = (error: unknown) =>
  `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error, Object.getOwnPropertyNames(error))}`

beforeEach(() => testDestination.responses.splice(0))

describe('the API token', () => {
  it.each([400, 401, 403, 404, 413, 429, 500, 503])(
    'is not in a thrown error when Qualtrics echoes it back (%s)',
    async (status) => {
      qualtrics().post(`/API/v3/directories/${DIRECTORY}/contacts`).reply(status, echo(status))
      const error = await testDestination
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
      settings
    )
    const error = await client.whoami().catch((e) => e)
    expect(error.message).toMatch(/connection failed \(ECONNRESET\)/)
    expect(everything(error)).not.toContain(API_TOKEN)
  })

  it('is not in any batch result', async () => {
    qualtrics().post(`/API/v3/directories/${DIRECTORY}/transactions`).reply(500, echo(500))
    await testDestination.testBatchAction('upsertContactTransaction', {
      events: [{ type: 'track', event: 'Transaction Created', userId: 'u1', messageId: 'm1' }] as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: 'CID_1' },
      useDefaultMappings: true
    })
    const results = JSON.stringify(testDestination.results)
    expect(results).toContain('[redacted]')
    expect(results).not.toContain(API_TOKEN)
  })

  it('goes to a workflow only on a Qualtrics host, in the header or Basic credentials', async () => {
    nock(API, { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(WORKFLOW)
      .reply(202, {})
    await testDestination.testAction('triggerXflow', {
      event: { type: 'track', event: 'x' },
      settings,
      mapping: { workflowUrl: `${API}${WORKFLOW}` }
    })
    // A foreign host gets nothing at all: no interceptor is declared, and an undeclared request fails the test.
    await expect(
      testDestination.testAction('triggerXflow', {
        event: { type: 'track', event: 'x' },
        settings,
        mapping: { workflowUrl: 'https://collector.example.com/hook' }
      })
    ).rejects.toThrow(/never sent to other hosts/)
  })

  it('is not in a request snapshot (headers are redacted before they are recorded)', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts`)
      .reply(200, ok({ id: 'CID_1' }))
    const [response] = await testDestination.testAction('upsertContact', {
      event: { type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } },
      settings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true
    })
    const headers: Record<string, string> = {}
    response.request.headers.forEach((value, name) => {
      headers[name] = name === 'x-api-token' ? '[redacted]' : value
    })
    const recorded = { url: response.url, headers, body: JSON.parse(String(response.options.body)) }
    expect(recorded).toMatchSnapshot()
    const snapshotFile = join(__dirname, '__snapshots__', 'secrets.test.ts.snap')
    expect(readFileSync(snapshotFile, 'utf8')).not.toContain(API_TOKEN)
  })
})

describe('every outbound request', () => {
  it('carries a timeout and never follows a redirect', async () => {
    const seen: Array<{ url: string; timeout?: number | false; redirect?: string }> = []
    const recordingRequest = ((url: string, options: { timeout?: number | false; redirect?: string }) => {
      seen.push({ url, timeout: options.timeout, redirect: options.redirect })
      const result = url.includes('/transactions')
        ? { createdTransactions: { k: { id: 'T' } } }
        : url.includes('/search')
          ? { elements: [] }
          : url.includes('/directories') && !url.includes('/contacts')
            ? { elements: [], nextPage: null }
            : { id: 'CID_1', userName: 'u' }
      return Promise.resolve({ status: 200, data: { result }, headers: new Headers() })
    }) as unknown as RequestClient
    const client = new QualtricsClient(recordingRequest, settings)
    await client.whoami()
    await client.listDirectories()
    await client.listMailingLists(DIRECTORY)
    await client.createContact(DIRECTORY, { extRef: 'u' })
    await client.searchContacts(DIRECTORY, 'extRef', 'u', 2)
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
