import { createRequestClient, IntegrationError } from '@segment/actions-core'
import nock from 'nock'
import {
  apiBaseUrl,
  normaliseDatacenter,
  QualtricsClient,
  setApiOriginOverride
} from '../../../src/destinations/qualtrics/client'
import {
  API,
  API_TOKEN,
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from './helpers'

const client = (timeoutMs?: number) => new QualtricsClient(createRequestClient(), settings, { timeoutMs })

describe('datacenter', () => {
  it.each(['iad1', 'fra1', 'ca1', 'gov1', 'sjc1', 'a-b-c'])('accepts %s', (dc) => {
    expect(normaliseDatacenter(dc)).toBe(dc)
  })

  it('normalises case', () => {
    expect(apiBaseUrl('FRA1')).toBe('https://fra1.qualtrics.com/API/v3')
  })

  it.each([
    ['dots', 'iad1.evil.com'],
    ['a slash', 'iad1/../x'],
    ['an at sign', 'iad1@evil'],
    ['a hash', 'iad1#x'],
    ['a colon', 'iad1:8080'],
    ['a space', 'iad 1'],
    ['a leading hyphen', '-iad1'],
    ['an empty string', ''],
    ['a label over 63 characters', 'a'.repeat(64)]
  ])('rejects a datacenter with %s', (_why, dc) => {
    expect(() => normaliseDatacenter(dc)).toThrow(/Datacenter ID .* is not valid/)
  })

  it('rejects a datacenter that is not a string', () => {
    expect(() => normaliseDatacenter(42)).toThrow(/Datacenter ID a number is not valid/)
  })

  it('rejects a bad datacenter before any request exists', () => {
    expect(() => new QualtricsClient(createRequestClient(), { ...settings, datacenter: 'x.evil.com' })).toThrow(
      IntegrationError
    )
  })

  it('rejects a missing token before any request exists', () => {
    expect(() => new QualtricsClient(createRequestClient(), { ...settings, apiToken: ' ' })).toThrow(
      /API Token is missing/
    )
  })
})

// The workflow URL check has its own file: workflow-url.test.ts.

describe('API origin override', () => {
  afterEach(() => setApiOriginOverride(undefined))

  it('accepts loopback only', () => {
    expect(() => setApiOriginOverride('https://evil.com')).toThrow(/loopback/)
    expect(() => setApiOriginOverride('not a url')).toThrow(/not a URL/)
    setApiOriginOverride('http://127.0.0.1:4010/ignored/path')
    expect(apiBaseUrl('iad1')).toBe('http://127.0.0.1:4010/API/v3')
  })

  it('still validates the datacenter', () => {
    setApiOriginOverride('http://127.0.0.1:4010')
    expect(() => apiBaseUrl('a.b')).toThrow(/not valid/)
  })
})

describe('error mapping', () => {
  it.each(ERROR_STATUSES)('maps $status', async ({ status, expected, retryable, text }) => {
    qualtrics().get('/API/v3/whoami').reply(status, qualtricsError(status, 'bad thing'))
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(error).toMatchObject(expected)
    expect(error.message).toMatch(text)
    expect(isRetryableStatus(error.status)).toBe(retryable)
  })

  it('names what a 404 is about', async () => {
    qualtrics().get(`/API/v3/directories/${DIRECTORY}/mailinglists`).reply(404, qualtricsError(404, 'Not found'))
    await expect(client().listMailingLists(DIRECTORY)).rejects.toThrow(`directory ${DIRECTORY} was not found`)
  })

  it('names the directory, mailing list and contact a 404 on transactions may be about', async () => {
    const entry = (contactId: string) => ({
      contactId,
      mailingListId: 'CG_1',
      transactionDate: '2024-03-01 10:00:00',
      data: {}
    })
    const transactions = () => qualtrics().post(`/API/v3/directories/${DIRECTORY}/transactions`)
    transactions().reply(404, qualtricsError(404, 'Contact not found'))
    await expect(client().createTransactions(DIRECTORY, { a: entry('CID_1') })).rejects.toThrow(
      `directory ${DIRECTORY}, mailing list CG_1 or contact CID_1 was not found (404): Contact not found`
    )
    transactions().reply(404, qualtricsError(404, 'Contact not found'))
    const many = { a: entry('CID_1'), b: entry('CID_2'), c: entry('CID_1'), d: entry('CID_3'), e: entry('CID_4') }
    await expect(client().createTransactions(DIRECTORY, many)).rejects.toThrow(
      'mailing list CG_1 or one of the 4 contacts (CID_1, CID_2, CID_3…) was not found'
    )
  })

  it('maps 501 to a final error and an unknown 5xx to a retryable one', async () => {
    qualtrics().get('/API/v3/whoami').reply(501, {})
    await expect(client().whoami()).rejects.toMatchObject({ status: 501 })
    qualtrics().get('/API/v3/whoami').reply(520, 'oops')
    await expect(client().whoami()).rejects.toMatchObject({ status: 503 })
  })

  it('reports a timeout (no status from the request client) as retryable', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .delay(500)
      .reply(200, ok({ userName: 'x' }))
    const error = await client(50)
      .whoami()
      .catch((e) => e)
    expect(error.message).toMatch(/no answer within 50 ms/)
    expect(error.status).toBe(504)
  })

  it('reports a dropped connection as retryable', async () => {
    // The string form: nock 14 never settles the request for an error object.
    qualtrics().get('/API/v3/whoami').replyWithError('socket hang up')
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(error.message).toMatch(/connection failed \(FetchError\)/)
    expect(isRetryableStatus(error.status)).toBe(true)
  })

  it('does not follow a redirect (it could carry the token elsewhere)', async () => {
    qualtrics().get('/API/v3/whoami').reply(302, '', { location: 'https://evil.com/steal' })
    await expect(client().whoami()).rejects.toThrow(/redirect \(302\), which is not followed/)
  })

  it('reports a 2xx without a result instead of a TypeError', async () => {
    qualtrics().get('/API/v3/whoami').reply(200, { meta: {} })
    await expect(client().whoami()).rejects.toThrow(
      'Qualtrics answered the request to check the API token without a result'
    )
    qualtrics().get('/API/v3/whoami').reply(200, 'not json', { 'content-type': 'text/plain' })
    await expect(client().whoami()).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE' })
  })

  it('never puts the token in an error message, even when Qualtrics echoes it', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(400, qualtricsError(400, `token ${API_TOKEN} is malformed`))
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(error.message).toContain('token [redacted] is malformed')
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(API_TOKEN)
  })
})

describe('paging', () => {
  it('follows nextPage to the end', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_1' }], nextPage: `${API}/API/v3/directories?skipToken=2` }))
      .get('/API/v3/directories?skipToken=2')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_2' }], nextPage: null }))
    expect((await client().listDirectories()).map((d) => d.directoryId)).toEqual(['POOL_1', 'POOL_2'])
  })

  it('refuses a next page on another host', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [], nextPage: 'https://evil.com/API/v3/directories?skipToken=2' }))
    await expect(client().listDirectories()).rejects.toThrow(/pointed elsewhere and was not followed/)
  })

  it('reports a page without elements', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ nextPage: null }))
    await expect(client().listDirectories()).rejects.toThrow(/without a list \(result.elements\)/)
  })
})

describe('search', () => {
  it('sends one eq filter and a page size, and reports elements without ids', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=2`, {
        filter: { filterType: 'email', comparison: 'eq', value: 'a@b.co' }
      })
      .reply(200, ok({ elements: [{ email: 'a@b.co' }] }))
    await expect(client().searchContacts(DIRECTORY, 'email', 'a@b.co', 2)).rejects.toThrow(/contacts with ids/)
  })

  it('encodes a directory id so it cannot change the path', async () => {
    qualtrics()
      .post('/API/v3/directories/..%2Fwhoami/contacts', { extRef: 'u' })
      .reply(200, ok({ id: 'CID_1' }))
    expect(await client().createContact('../whoami', { extRef: 'u' })).toBe('CID_1')
  })
})

it('uses the API host and token only through nock-declared requests', () => {
  expect(nock.pendingMocks()).toEqual([])
})
