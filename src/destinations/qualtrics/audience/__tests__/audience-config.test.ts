import nock from 'nock'
import { formatExternalId, parseExternalId } from '../external-id'
import {
  API_TOKEN,
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  MAILING_LIST,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import { DIR, directoriesWith, EMAIL_DEDUP, failure, EXTERNAL_ID, LIST } from '../../__tests__/__helpers__/audience'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import type { TestDestination } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const create = (
  audienceSettings: Record<string, unknown> = { directoryId: DIRECTORY },
  audienceName = 'Cart abandoners',
  destination: TestDestination = instance.testDestination
) =>
  destination.createAudience({
    settings,
    audienceSettings: audienceSettings as { directoryId: string },
    audienceName,
    personas: { computation_id: 'aud_1', computation_key: 'cart_abandoners', namespace: 'spa_1' }
  })
const get = (
  externalId: string,
  audienceSettings?: Record<string, unknown>,
  destination: TestDestination = instance.testDestination
) =>
  destination.getAudience({
    settings,
    externalId,
    ...(audienceSettings ? { audienceSettings: audienceSettings as { directoryId: string } } : {})
  })

describe('the external audience id', () => {
  it('is POOL_…:CG_… and parses back to the same directory and list', () => {
    const id = formatExternalId({ directoryId: DIRECTORY, mailingListId: MAILING_LIST })
    expect(id).toBe(EXTERNAL_ID)
    expect(parseExternalId(id)).toEqual({ directoryId: DIRECTORY, mailingListId: MAILING_LIST })
    expect(parseExternalId(` ${id} `)).toEqual({ directoryId: DIRECTORY, mailingListId: MAILING_LIST })
  })

  it.each([
    undefined,
    '',
    'CG_x',
    'POOL_x',
    'POOL_x:',
    ':CG_x',
    'POOL_x:CG_y:z',
    'POOL_x/CG_y',
    'POOL_x:CG_y\u0000',
    'POOL_é:CG_y'
  ])('refuses %j', (value) => {
    expect(() => parseExternalId(value)).toThrow(/External audience ID/)
  })

  it('does not echo a long value whole', () => {
    let message = ''
    try {
      parseExternalId(`POOL_${'x'.repeat(500)}`)
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/is not one this destination made/)
    expect(message.length).toBeLessThan(300)
  })
})

describe('createAudience', () => {
  it('checks the directory deduplicates, creates a list named after the audience, and names both', async () => {
    directoriesWith(EMAIL_DEDUP)
    const created = qualtrics()
      .post(`${DIR}/mailinglists`, { name: 'Cart abandoners' })
      .reply(200, ok({ id: 'CG_new1' }))
    expect(await create()).toEqual({ externalId: `${DIRECTORY}:CG_new1` })
    expect(created.isDone()).toBe(true)
  })

  it('uses an existing list after checking it is in that directory', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .get(LIST)
      .reply(200, ok({ mailingListId: MAILING_LIST, name: 'VIP' }))
    expect(await create({ directoryId: DIRECTORY, mailingListId: ` ${MAILING_LIST} ` })).toEqual({
      externalId: EXTERNAL_ID
    })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('refuses a list in another directory (Qualtrics answers 404), naming both', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().get(LIST).reply(404, qualtricsError(404, 'Not Found'))
    const error = await failure(create({ directoryId: DIRECTORY, mailingListId: MAILING_LIST }))
    expect(error).toMatchObject({ status: 404, code: 'MAILING_LIST_NOT_FOUND' })
    expect(error.message).toMatch(/no mailing list CG_list123 in directory POOL_abc123 .*belongs to another directory/)
  })

  it('refuses a directory without deduplication on an identifier, naming the setting, and creates nothing', async () => {
    directoriesWith({ email: false, firstName: true })
    const error = await failure(create())
    expect(error).toMatchObject({ status: 400, code: 'DEDUPLICATION_REQUIRED' })
    expect(error.message).toMatch(/deduplicates only on First Name.*Turn on Automatic deduplication/)
  })

  it('refuses a directory the credentials cannot list', async () => {
    directoriesWith(EMAIL_DEDUP, 'POOL_other')
    expect(await failure(create())).toMatchObject({ status: 404, code: 'DIRECTORY_NOT_FOUND' })
  })

  it.each([
    [{}, /The audience setting Directory ID is missing/],
    [{ directoryId: 'abc' }, /Directory ID "abc" is not a directory ID/],
    [{ directoryId: DIRECTORY, mailingListId: 'list-1' }, /Existing mailing list ID "list-1" is not a mailing list ID/]
  ])('refuses audience settings %j before any request', async (audienceSettings, message) => {
    await expect(create(audienceSettings)).rejects.toThrow(message)
  })

  it('refuses an audience without a name when it has to create a list', async () => {
    directoriesWith(EMAIL_DEDUP)
    await expect(create({ directoryId: DIRECTORY }, '  ')).rejects.toThrow(/The audience has no name/)
  })

  it('a 2xx without the new list id is a final error (a retry would make a second list)', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(`${DIR}/mailinglists`).reply(200, ok({}))
    const error = await failure(create())
    expect(error.status).toBe(422)
    expect(isRetryableStatus(error.status)).toBe(false)
  })

  it.each(ERROR_STATUSES)('creating the list answers $status', async ({ status, expected, retryable, text }) => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(`${DIR}/mailinglists`).reply(status, qualtricsError(status, 'bad thing'))
    const error = await failure(create())
    expect(error).toMatchObject(expected)
    expect(error.message).toMatch(text)
    expect(isRetryableStatus(error.status)).toBe(retryable)
    expect(error.message).not.toContain(API_TOKEN)
  })

  it.each(ERROR_STATUSES)('reading the directories answers $status', async ({ status, expected, retryable }) => {
    qualtrics().get('/API/v3/directories').reply(status, qualtricsError(status, 'bad thing'))
    const error = await failure(create())
    expect(error).toMatchObject(expected)
    expect(isRetryableStatus(error.status)).toBe(retryable)
  })

  it('creating the list times out: a retryable 504', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(`${DIR}/mailinglists`)
      .delay(2000)
      .reply(200, ok({ id: 'CG_late' }))
    const shortTimeout = qualtricsUnderTest({ requestTimeoutMs: 200 }).testDestination
    const error = await failure(create(undefined, undefined, shortTimeout))
    expect(error.status).toBe(504)
  })
})

describe('getAudience', () => {
  it('verifies the list still exists and answers the same id', async () => {
    qualtrics()
      .get(LIST)
      .reply(200, ok({ mailingListId: MAILING_LIST }))
    expect(await get(EXTERNAL_ID)).toEqual({ externalId: EXTERNAL_ID })
  })

  it('a list that is gone is a final error naming it', async () => {
    qualtrics().get(LIST).reply(404, qualtricsError(404, 'Not Found'))
    const error = await failure(get(EXTERNAL_ID))
    expect(error).toMatchObject({ status: 404, code: 'MAILING_LIST_NOT_FOUND' })
    expect(error.message).toContain(MAILING_LIST)
  })

  it('refuses a malformed id before any request', async () => {
    await expect(get('CG_list123')).rejects.toThrow(/is not one this destination made/)
  })

  it('refuses an id whose directory is not the audience setting’s (a list in another directory)', async () => {
    await expect(get(EXTERNAL_ID, { directoryId: 'POOL_other1' })).rejects.toThrow(
      /is in directory POOL_abc123, not in POOL_other1/
    )
  })

  it.each(ERROR_STATUSES.filter((row) => row.status !== 404))(
    'reading the list answers $status',
    async ({ status, expected, retryable, text }) => {
      qualtrics().get(LIST).reply(status, qualtricsError(status, 'bad thing'))
      const error = await failure(get(EXTERNAL_ID))
      expect(error).toMatchObject(expected)
      expect(error.message).toMatch(text)
      expect(isRetryableStatus(error.status)).toBe(retryable)
    }
  )

  it('reading the list times out: a retryable 504', async () => {
    qualtrics()
      .get(LIST)
      .delay(2000)
      .reply(200, ok({ mailingListId: MAILING_LIST }))
    const shortTimeout = qualtricsUnderTest({ requestTimeoutMs: 200 }).testDestination
    const error = await failure(get(EXTERNAL_ID, undefined, shortTimeout))
    expect([error.status, isRetryableStatus(error.status)]).toEqual([504, true])
  })

  it('a 2xx without a result is a final error', async () => {
    qualtrics()
      .get(LIST)
      .reply(200, { meta: { requestId: 'r1' } })
    expect((await failure(get(EXTERNAL_ID))).status).toBe(422)
  })
})
