import { createTestEvent, Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics } from '../..'
import {
  API_TOKEN,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import {
  BASE,
  definition,
  deleted,
  directories,
  failure,
  remove,
  run,
  search,
  USER
} from '../../__tests__/__helpers__/deletion'

describe('onDelete: finding and deleting contacts', () => {
  it('deletes every exact extRef match in every directory, across pages of directories and of matches', async () => {
    directories([['POOL_A', 'POOL_B'], ['POOL_C']])
    search('POOL_A', [
      [
        { id: 'CID_1', extRef: USER, email: 'a@x.co' },
        { id: 'CID_CASE', extRef: 'USER-42' }
      ],
      [
        { id: 'CID_2', extRef: USER },
        { id: 'CID_1', extRef: USER }
      ]
    ])
    search('POOL_B', [[]])
    search('POOL_C', [[{ id: 'CID_3', extRef: USER }]])
    remove('POOL_A', 'CID_1')
    remove('POOL_A', 'CID_2')
    remove('POOL_C', 'CID_3')
    const result = await run(USER)
    expect(deleted).toEqual(['CID_1', 'CID_2', 'CID_3'])
    expect(result).toMatchObject({
      userId: USER,
      directoriesSearched: 3,
      contactsDeleted: 3,
      directories: [
        { directoryId: 'POOL_A', deleted: ['CID_1', 'CID_2'] },
        { directoryId: 'POOL_C', deleted: ['CID_3'] }
      ],
      erasure: { requested: false, reason: expect.stringMatching(/off\. Survey responses were kept: turn on/) }
    })
    expect(result.message).toBe(
      'Deleted 3 contacts with extRef "user-42" (POOL_A, POOL_C), searched in the 3 directories these credentials can list.'
    )
    expect(JSON.stringify(result)).not.toContain('a@x.co')
    expect(nock.pendingMocks()).toEqual([])
  })

  it('compares extRef exactly: other case, spaces or longer values found by the search are left alone', async () => {
    directories([['POOL_A']])
    search('POOL_A', [
      [
        { id: 'CID_UP', extRef: 'USER-42' },
        { id: 'CID_SP', extRef: ' user-42' },
        { id: 'CID_LONG', extRef: 'user-42x' },
        { id: 'CID_NONE' }
      ]
    ])
    const result = await run(USER)
    expect(deleted).toEqual([])
    expect(result).toMatchObject({ contactsDeleted: 0, directories: [] })
    expect(result.message).toBe(
      'No contact has extRef "user-42" in the 1 directory these credentials can list: nothing to delete.'
    )
  })

  it('succeeds when nothing is found, and says so', async () => {
    directories([[]])
    const result = await run(USER)
    expect(result.message).toMatch(/^No contact has extRef "user-42" in the 0 directories .*nothing to delete\.$/)
  })

  it('searches for the userId as upsertContact stores it (trimmed)', async () => {
    directories([['POOL_A']])
    search('POOL_A', [[{ id: 'CID_1', extRef: USER }]])
    remove('POOL_A', 'CID_1')
    await expect(run(`  ${USER}\n`)).resolves.toMatchObject({ userId: USER, contactsDeleted: 1 })
  })

  it('treats a contact that is already gone (404 on delete) as deleted', async () => {
    directories([['POOL_A']])
    search('POOL_A', [[{ id: 'CID_1', extRef: USER }]])
    remove('POOL_A', 'CID_1', 404)
    await expect(run(USER)).resolves.toMatchObject({ directories: [{ directoryId: 'POOL_A', deleted: ['CID_1'] }] })
  })

  it.each([
    ['missing', undefined],
    ['missing', null],
    ['blank', '   '],
    ['not text', 42]
  ])('refuses a %s userId with a 400 before sending anything', async (word, userId) => {
    const event = { ...createTestEvent({}), userId }
    const error = await failure(new Destination(definition).onDelete!(event as never, settings as JSONObject))
    expect(error.name).toBe('PayloadValidationError')
    expect(error.status).toBe(400)
    expect(error.message).toBe(
      `userId is ${word}: deletion finds Qualtrics contacts by extRef, which is the userId; nothing was deleted.`
    )
  })
})

describe('onDelete: failures', () => {
  const statuses: Array<[number | 'timeout', number, boolean]> = [
    [400, 400, false],
    [401, 401, false],
    [403, 403, false],
    [404, 404, false],
    [429, 429, true],
    [500, 500, true],
    ['timeout', 504, true]
  ]
  const shortTimeout = createQualtrics({ requestTimeoutMs: 200 })
  /** Declares the answer, and runs the deletion with the definition that meets it (a short timeout for 'timeout'). */
  const answer = (scope: nock.Interceptor, status: number | 'timeout') => {
    if (status !== 'timeout') scope.reply(status, qualtricsError(status, `bad ${API_TOKEN}`))
    else scope.delay(2000).reply(200, ok({ elements: [] }))
    return () => run(USER, {}, status === 'timeout' ? shortTimeout : definition)
  }

  it.each(statuses)('listing directories answers %s: status %s, retryable %s', async (status, expected, retry) => {
    const runDeletion = answer(qualtrics().get(`${BASE}/directories`), status)
    const error = await failure(runDeletion())
    expect([error.status, isRetryableStatus(error.status)]).toEqual([expected, retry])
    expect(error.message).toMatch(/^Qualtrics could not list directories.*\. Nothing was deleted\.$/)
  })

  it.each(statuses)('searching answers %s: status %s, retryable %s', async (status, expected, retry) => {
    directories([['POOL_A']])
    const runDeletion = answer(qualtrics().post(`${BASE}/directories/POOL_A/contacts/search`).query(true), status)
    const error = await failure(runDeletion())
    expect([error.status, isRetryableStatus(error.status)]).toEqual([expected, retry])
    expect(error.message).toMatch(/^Qualtrics could not search the directory by extRef.*\. Nothing was deleted\.$/)
  })

  it.each(statuses.filter(([status]) => status !== 404))(
    'deleting answers %s: status %s, retryable %s, naming the contacts that remain',
    async (status, expected, retry) => {
      directories([['POOL_A', 'POOL_B']])
      search('POOL_A', [[{ id: 'CID_1', extRef: USER }]])
      search('POOL_B', [[{ id: 'CID_2', extRef: USER, email: 'p@x.co' }]])
      remove('POOL_A', 'CID_1')
      const runDeletion = answer(qualtrics().delete(`${BASE}/directories/POOL_B/contacts/CID_2`), status)
      const error = await failure(runDeletion())
      expect([error.status, isRetryableStatus(error.status)]).toEqual([expected, retry])
      expect(error.message).toMatch(
        /^Qualtrics could not delete contact CID_2.*\. Deletion stopped: contacts still to delete: POOL_B: CID_2; already deleted: POOL_A: CID_1\.$/
      )
      expect(error.message).not.toContain('p@x.co')
    }
  )

  it('stops at the first failure and names every contact not yet deleted, in this and later directories', async () => {
    directories([['POOL_A', 'POOL_B']])
    search('POOL_A', [
      [
        { id: 'CID_1', extRef: USER },
        { id: 'CID_2', extRef: USER },
        { id: 'CID_3', extRef: USER }
      ]
    ])
    search('POOL_B', [[{ id: 'CID_4', extRef: USER }]])
    remove('POOL_A', 'CID_1')
    remove('POOL_A', 'CID_2', 503)
    const error = await failure(run(USER))
    expect(error.status).toBe(503)
    expect(error.name).toBe('RetryableError')
    expect(error.message).toContain(
      'Deletion stopped: contacts still to delete: POOL_A: CID_2, CID_3; POOL_B: CID_4; already deleted: POOL_A: CID_1.'
    )
    expect(deleted).toEqual(['CID_1', 'CID_2'])
  })
})
