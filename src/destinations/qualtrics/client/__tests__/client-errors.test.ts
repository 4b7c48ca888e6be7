import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import { answerOf, cameFromQualtrics } from '..'
import {
  API_TOKEN,
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError
} from '../../__tests__/__helpers__/qualtrics'
import { client } from '../../__tests__/__helpers__/client'

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
