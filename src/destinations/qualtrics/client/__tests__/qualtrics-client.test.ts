import {
  createRequestClient,
  createTestEvent,
  createTestIntegration,
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError
} from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics, createState } from '../..'
import { answerOf, apiBaseUrl, cameFromQualtrics, normaliseDatacenter, QualtricsClient } from '..'
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
} from '../../__tests__/__helpers__/qualtrics'

const client = (requestTimeoutMs?: number) =>
  new QualtricsClient(createRequestClient(), settings, createState({ requestTimeoutMs }))

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
    expect(
      () => new QualtricsClient(createRequestClient(), { ...settings, datacenter: 'x.evil.com' }, createState())
    ).toThrow(IntegrationError)
  })

  it('rejects a missing token before any request exists', () => {
    expect(() => new QualtricsClient(createRequestClient(), { ...settings, apiToken: ' ' }, createState())).toThrow(
      /API Token is missing/
    )
  })
})

// The workflow URL check has its own file: workflow-url.test.ts.

describe('the local API origin (an instance option)', () => {
  it('accepts loopback only', () => {
    expect(() => createState({ apiOrigin: 'https://evil.com' })).toThrow(/loopback/)
    expect(() => createState({ apiOrigin: 'not a url' })).toThrow(/not a URL/)
    const { apiOrigin } = createState({ apiOrigin: 'http://127.0.0.1:4010/ignored/path' })
    expect(apiOrigin).toBe('http://127.0.0.1:4010')
    expect(apiBaseUrl('iad1', apiOrigin)).toBe('http://127.0.0.1:4010/API/v3')
  })

  it('still validates the datacenter', () => {
    expect(() => apiBaseUrl('a.b', 'http://127.0.0.1:4010')).toThrow(/not valid/)
  })

  it('sends every request of the instance’s clients there, and no other instance’s', async () => {
    const local = nock('http://127.0.0.1:4010', { reqheaders: { 'x-api-token': API_TOKEN } })
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'local' }))
    const state = createState({ apiOrigin: 'http://127.0.0.1:4010' })
    expect(await new QualtricsClient(createRequestClient(), settings, state).whoami()).toEqual({ userName: 'local' })
    expect(local.isDone()).toBe(true)
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'qualtrics' }))
    expect(await client().whoami()).toEqual({ userName: 'qualtrics' })
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
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=100`, {
        filter: { filterType: 'email', comparison: 'eq', value: 'a@b.co' }
      })
      .reply(200, ok({ elements: [{ email: 'a@b.co' }] }))
    await expect(client().searchContacts(DIRECTORY, 'email', 'a@b.co')).rejects.toThrow(/contacts with ids/)
  })

  it('encodes a directory id so it cannot change the path', async () => {
    qualtrics()
      .post('/API/v3/directories/..%2Fwhoami/contacts', { extRef: 'u' })
      .reply(200, ok({ id: 'CID_1' }))
    expect(await client().createContact('../whoami', { extRef: 'u' })).toBe('CID_1')
  })
})

describe('API token that cannot be sent in a header', () => {
  const make = (apiToken: string) => () =>
    new QualtricsClient(createRequestClient(), { ...settings, apiToken }, createState())

  it.each([
    ['a line feed', `${API_TOKEN}\nX-Injected: 1`, /a line break \(U\+000A\) at character 29/],
    ['a carriage return', `qtok\rabc`, /a line break \(U\+000D\) at character 5/],
    ['a NUL', `qtok\u0000abc`, /a control character \(U\+0000\)/],
    ['a tab inside', `qtok\tabc`, /a control character \(U\+0009\)/],
    ['a DEL', `qtok\u007fabc`, /a control character \(U\+007F\)/],
    ['a C1 control', `qtok\u0085abc`, /a control character \(U\+0085\)/],
    ['a character outside Latin-1', `qtok\u2014abc`, /a character outside Latin-1 \(U\+2014\)/],
    ['an emoji', `qtok\u{1F600}abc`, /a character outside Latin-1 \(U\+1F600\) at character 5/]
  ])('refuses %s: a final 401 saying what is wrong, before any request', (_why, token, reason) => {
    // No request is declared: the client must refuse before it sends anything.
    let error: unknown
    try {
      make(token)()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidAuthenticationError)
    const { message, status } = error as InvalidAuthenticationError
    expect(status).toBe(401)
    expect(message).toMatch(reason)
    expect(message).toMatch(/cannot be sent in a header: copy it again from Account settings/)
    expect(message).not.toContain('qtok')
  })

  it('trims surrounding whitespace (a pasted newline) and sends the token without it', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'x' }))
    expect(await make(`  ${API_TOKEN}\r\n`)().whoami()).toEqual({ userName: 'x' })
  })

  it('through an action it is a final 401 (never a retryable "connection failed")', async () => {
    const error = await createTestIntegration(createQualtrics())
      .testAction('upsertContact', {
        event: createTestEvent({ type: 'identify', userId: 'u1' }),
        settings: { ...settings, apiToken: 'qtok\nabc' },
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
      .catch((e) => e)
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' })
    expect(isRetryableStatus(error.status)).toBe(false)
  })
})

describe('a 2xx without what the docs promise is never retryable', () => {
  const DIR = `/API/v3/directories/${DIRECTORY}`
  const malformed = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'req-odd' } })

  /** The final error for an answer the action cannot go on without: 422, naming the request id, carrying the body. */
  async function expectFinal(call: Promise<unknown>, missing: string) {
    const error = (await call.catch((e: unknown) => e)) as IntegrationError
    expect(error).toBeInstanceOf(IntegrationError)
    expect(error).toMatchObject({ status: 422, code: 'UNEXPECTED_RESPONSE' })
    expect(isRetryableStatus(error.status)).toBe(false)
    expect(error.message).toContain(`without ${missing} (request id req-odd)`)
    expect(answerOf(error)).toMatchObject({ meta: { requestId: 'req-odd' } })
  }

  it('createContact, whose id a transaction needs: final, naming the request id', async () => {
    qualtrics().post(`${DIR}/contacts`).reply(200, malformed({}))
    await expectFinal(client().createContact(DIRECTORY, { extRef: 'u' }), 'a contact id')
  })

  it('writeContact, whose caller can do without the id: a success with a note', async () => {
    qualtrics().post(`${DIR}/contacts`).reply(200, malformed({}))
    expect(await client().writeContact(DIRECTORY, { extRef: 'u' })).toEqual({
      note: 'Qualtrics accepted the request to create the contact, but its answer has no contact id (request id req-odd)'
    })
    qualtrics()
      .post(`${DIR}/contacts`)
      .reply(200, { meta: { httpStatus: '200 - OK' } })
    expect((await client().writeContact(DIRECTORY, { extRef: 'u' })).note).toContain('no request id in the answer')
    qualtrics()
      .post(`${DIR}/contacts`)
      .reply(200, ok({ id: 'CID_1' }))
    expect(await client().writeContact(DIRECTORY, { extRef: 'u' })).toEqual({ contactId: 'CID_1' })
  })

  it('createTransactions without either map: a note, not an error (a retry could store them twice)', async () => {
    qualtrics().post(`${DIR}/transactions`).reply(200, malformed({}))
    const entry = { contactId: 'CID_1', mailingListId: 'CG_1', transactionDate: '2024-03-01 10:00:00', data: {} }
    expect(await client().createTransactions(DIRECTORY, { a: entry })).toEqual({
      requestId: 'req-odd',
      note: 'Qualtrics accepted the request to add the transaction, but its answer has no createdTransactions or unprocessedTransactions (request id req-odd)'
    })
  })

  it('a search answer without a list: final', async () => {
    qualtrics()
      .post(`${DIR}/contacts/search?pageSize=100`)
      .reply(200, malformed({ elements: 'none' }))
    await expectFinal(client().searchContacts(DIRECTORY, 'extRef', 'u'), 'a list (result.elements)')
  })

  it('a listing without its list (directories, mailing lists): final', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, malformed({ nextPage: null }))
    await expectFinal(client().listDirectories(), 'a list (result.elements)')
    qualtrics().get(`${DIR}/mailinglists`).reply(200, malformed(null))
    await expectFinal(client().listMailingLists(DIRECTORY), 'a list (result.elements)')
  })

  it('whoami without a result: final', async () => {
    qualtrics().get('/API/v3/whoami').reply(200, malformed(undefined))
    await expectFinal(client().whoami(), 'a result')
  })
})

describe("Qualtrics' answer on the errors it causes", () => {
  it('is kept (redacted) on a refusal, out of sight of logs and serialisation', async () => {
    const answer = qualtricsError(400, `token ${API_TOKEN} is malformed`)
    qualtrics().get('/API/v3/whoami').reply(400, answer)
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(answerOf(error)).toEqual(qualtricsError(400, 'token [redacted] is malformed'))
    expect(Object.keys(error)).not.toContain('qualtricsAnswer')
    expect(JSON.stringify(error)).not.toContain('req-400')
  })

  it('is text, cut short, for an answer that is not JSON', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(503, `<html>${'x'.repeat(5000)} ${API_TOKEN}</html>`, { 'content-type': 'text/html' })
    const answer = answerOf(
      await client()
        .whoami()
        .catch((e) => e)
    )
    expect(typeof answer).toBe('string')
    expect((answer as string).length).toBeLessThanOrEqual(4001)
    expect(answer).toMatch(/^<html>x+…$/)
  })

  it('is absent, but the error still marked as from Qualtrics, when no answer came', async () => {
    qualtrics().get('/API/v3/whoami').replyWithError('socket hang up')
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(answerOf(error)).toBeUndefined()
    expect(cameFromQualtrics(error)).toBe(true)
    expect(cameFromQualtrics(new PayloadValidationError('checked before sending'))).toBe(false)
  })
})
