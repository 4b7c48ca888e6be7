import { isRetryableStatus, ok, qualtrics, qualtricsError } from '../../__tests__/__helpers__/qualtrics'
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
