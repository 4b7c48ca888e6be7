import { createTestEvent, Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics } from '../..'
import {
  API,
  API_TOKEN,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'

const definition = createQualtrics()
const BASE = '/API/v3'
const USER = 'user-42'

// Until the erasePersonalData setting is merged into the definition, ajv would strip it: this copy declares it. It
// has its own name because actions-core caches the settings schema by destination name.
const withErasure: typeof definition = {
  ...definition,
  name: 'QualtricsDeletionErasure',
  authentication: {
    ...definition.authentication!,
    fields: {
      ...definition.authentication!.fields,
      erasePersonalData: { label: 'Erase personal data', description: 'Erase on deletion.', type: 'boolean' }
    }
  }
}

interface Contact {
  id: string
  extRef?: string
  email?: string
}

function run(userId: unknown, extra: Record<string, unknown> = {}, def = definition) {
  const event = createTestEvent({ userId: userId as string })
  return new Destination(def).onDelete!(event, { ...settings, ...extra } as JSONObject) as Promise<
    Record<string, unknown>
  >
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e) => e
  )
  expect(error).toBeInstanceOf(Error)
  expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(API_TOKEN)
  return error as Error & { status?: number; code?: string }
}

/** GET /directories in pages: one page per array, linked by nextPage. */
function directories(pages: string[][]) {
  pages.forEach((ids, i) => {
    const next = i + 1 < pages.length ? `${API}${BASE}/directories?skipToken=d${i + 1}` : null
    qualtrics()
      .get(`${BASE}/directories`)
      .query(i === 0 ? {} : { skipToken: `d${i}` })
      .reply(200, ok({ elements: ids.map((directoryId) => ({ directoryId })), nextPage: next }))
  })
}

/** The extRef search of one directory in pages; every page must be the same POST body. */
function search(directoryId: string, pages: Contact[][], extRef = USER) {
  const path = `${BASE}/directories/${directoryId}/contacts/search`
  pages.forEach((elements, i) => {
    const next = i + 1 < pages.length ? `${API}${path}?pageSize=100&skipToken=s${i + 1}` : null
    qualtrics()
      .post(path, { filter: { filterType: 'extRef', comparison: 'eq', value: extRef } })
      .query(i === 0 ? { pageSize: '100' } : { pageSize: '100', skipToken: `s${i}` })
      .reply(200, ok({ elements, nextPage: next }))
  })
}

const deleted: string[] = []
function remove(directoryId: string, id: string, status = 200) {
  qualtrics()
    .delete(`${BASE}/directories/${directoryId}/contacts/${id}`)
    .reply(status, () => {
      deleted.push(id)
      return status === 200 ? { meta: { httpStatus: '200 - OK' } } : qualtricsError(status, 'nope')
    })
}

beforeEach(() => deleted.splice(0))
afterEach(() => {
  // A delayed reply (the timeout cases) keeps a timer until it is aborted.
  nock.abortPendingRequests()
})

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

describe('onDelete: erasing personal data', () => {
  const erasure = () => qualtrics().post(`${BASE}/op-erase-personal-data`)
  const matches = () => {
    directories([['POOL_A', 'POOL_B']])
    search('POOL_A', [
      [
        { id: 'CID_1', extRef: USER, email: 'Ann@x.co' },
        { id: 'CID_2', extRef: USER, email: ' ' },
        { id: 'CID_3', extRef: USER }
      ]
    ])
    search('POOL_B', [
      [
        { id: 'CID_4', extRef: USER, email: 'ann@x.co' },
        { id: 'CID_5', extRef: USER, email: 'bo@y.co' },
        { id: 'CID_6', extRef: 'USER-42', email: 'other@z.co' }
      ]
    ])
  }

  it("sends the matched contacts' emails once (each spelling), and returns the request id", async () => {
    matches()
    const order: string[] = []
    erasure().reply(200, (_uri, body) => {
      order.push(`erase ${JSON.stringify(body)}`)
      return ok({ requestId: 'OP_123' })
    })
    for (const [dir, id] of [
      ['POOL_A', 'CID_2'],
      ['POOL_A', 'CID_3']
    ]) {
      qualtrics()
        .delete(`${BASE}/directories/${dir}/contacts/${id}`)
        .reply(200, () => {
          order.push(id)
          return {}
        })
    }
    const result = await run(USER, { erasePersonalData: true }, withErasure)
    // searchOnly: false always: public wrappers read a missing searchOnly as a dry run (research notes §16). Each
    // spelling of an email goes: whether the erasure compares emails ignoring case is not documented.
    expect(order[0]).toBe('erase {"emails":["Ann@x.co","ann@x.co","bo@y.co"],"searchOnly":false}')
    expect(order.slice(1)).toEqual(['CID_2', 'CID_3'])
    expect(result.erasure).toEqual({ requested: true, requestId: 'OP_123', emailCount: 3 })
    expect(JSON.stringify(result)).not.toMatch(/x\.co|y\.co/)
  })

  it('leaves the contacts with an email to the erasure (which finds responses through them) and deletes the others', async () => {
    matches()
    erasure().reply(200, ok({ requestId: 'OP_123' }))
    remove('POOL_A', 'CID_2')
    remove('POOL_A', 'CID_3')
    const result = await run(USER, { erasePersonalData: true }, withErasure)
    expect(deleted).toEqual(['CID_2', 'CID_3'])
    expect(result).toMatchObject({
      contactsDeleted: 2,
      contactsLeftToErasure: 3,
      directories: [
        { directoryId: 'POOL_A', deleted: ['CID_2', 'CID_3'], leftToErasure: ['CID_1'] },
        { directoryId: 'POOL_B', deleted: [], leftToErasure: ['CID_4', 'CID_5'] }
      ]
    })
    expect(result.message).toBe(
      'Deleted 2 contacts with extRef "user-42" (POOL_A); left 3 contacts with an email (POOL_A, POOL_B) to Qualtrics\' erasure request OP_123, which removes them with their survey responses when it runs; searched in the 2 directories these credentials can list.'
    )
  })

  it('a failed delete after the erasure request names what was left to the erasure too', async () => {
    matches()
    erasure().reply(200, ok({ requestId: 'OP_123' }))
    remove('POOL_A', 'CID_2', 503)
    const error = await failure(run(USER, { erasePersonalData: true }, withErasure))
    expect(error.status).toBe(503)
    expect(error.message).toContain(
      'Deletion stopped: contacts still to delete: POOL_A: CID_2, CID_3; none was deleted yet; left to the erasure: POOL_A: CID_1; POOL_B: CID_4, CID_5; erasure request OP_123 was already sent.'
    )
  })

  it('without the setting sends nothing for erasure and says survey responses were kept', async () => {
    directories([['POOL_A']])
    search('POOL_A', [[{ id: 'CID_1', extRef: USER, email: 'a@x.co' }]])
    remove('POOL_A', 'CID_1')
    const result = await run(USER, { erasePersonalData: false }, withErasure)
    expect(result.erasure).toEqual({
      requested: false,
      reason:
        'Erase personal data is off. Survey responses were kept: turn on "Erase personal data" (brand administrators only) to have Qualtrics erase them by email.'
    })
  })

  it('with the setting but no email on any match, says nothing was sent for erasure and why', async () => {
    directories([['POOL_A']])
    search('POOL_A', [[{ id: 'CID_1', extRef: USER, email: '' }]])
    remove('POOL_A', 'CID_1')
    const result = await run(USER, { erasePersonalData: true }, withErasure)
    expect(result.erasure).toEqual({
      requested: false,
      reason:
        'Nothing was sent for erasure: none of the 1 contact found has an email, and Qualtrics erases personal data by email only.'
    })
  })

  it('a 403 is final, names what erasure needs, and nothing is deleted', async () => {
    matches()
    erasure().reply(403, qualtricsError(403, 'Not a brand admin'))
    const error = await failure(run(USER, { erasePersonalData: true }, withErasure))
    expect(error.status).toBe(403)
    expect(isRetryableStatus(error.status)).toBe(false)
    expect(error.message).toContain("needs a brand administrator's API token")
    expect(error.message).toContain('manage:erasure_requests')
    expect(error.message).toMatch(/Nothing was deleted\.$/)
    expect(deleted).toEqual([])
  })

  it('a 429 is retryable and nothing is deleted', async () => {
    matches()
    erasure().reply(429, qualtricsError(429, 'slow down'))
    const error = await failure(run(USER, { erasePersonalData: true }, withErasure))
    expect([error.status, isRetryableStatus(error.status)]).toEqual([429, true])
    expect(deleted).toEqual([])
  })

  it('a 2xx without a request id still counts, with a note', async () => {
    directories([['POOL_A']])
    search('POOL_A', [[{ id: 'CID_1', extRef: USER, email: 'a@x.co' }]])
    erasure().reply(200, { meta: { requestId: 'req-e' } })
    const result = await run(USER, { erasePersonalData: true }, withErasure)
    expect(result).toMatchObject({ contactsDeleted: 0, contactsLeftToErasure: 1 })
    expect(result.message).toBe(
      'Left 1 contact with extRef "user-42" (POOL_A) to Qualtrics\' erasure request, which finds them by email and removes them with their survey responses when it runs, searched in the 1 directory these credentials can list.'
    )
    expect(result.erasure).toEqual({
      requested: true,
      emailCount: 1,
      note: 'Qualtrics accepted the request to erase personal data, but its answer has no request id (result.requestId) (request id req-e)'
    })
  })
})
