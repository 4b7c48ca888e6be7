import { createTestEvent } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import { API, DIRECTORY, ok, qualtrics, settings } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'
import {
  acceptTransactions,
  CONTACTS,
  DIR,
  purchase,
  transactionsBatch
} from '../../__tests__/__helpers__/transactions'

// How Qualtrics shows a search's contacts is open (research notes §16): the elements may name the identifiers
// extRef/phone (as the list call does) or externalDataReference/phoneNumber (as Segment's own client reads them),
// and the next page may come as a full nextPage URL or only as a skipToken to send back. Every reader of a search
// (lookup, cache, deletion) must be right under each.

const instance = instanceForEachTest()
const SEARCH_PATH = `${DIR}/contacts/search`
const filterOf = (filterType: string, value: string) => ({ filter: { filterType, comparison: 'eq', value } })

type Paging = 'nextPage' | 'skipToken'

/** How a page points to the next: a full nextPage URL (null on the last page), or a skipToken (absent on the last). */
function pageLink(token: string | undefined, paging: Paging, path: string): object {
  if (paging === 'nextPage') return { nextPage: token ? `${API}${path}?pageSize=100&skipToken=${token}` : null }
  return token ? { skipToken: token } : {}
}

/** One search answered in pages, linked as `paging` says: the first page, then each by its skipToken. */
function pagedSearch(filterType: string, value: string, pages: object[][], paging: Paging, path = SEARCH_PATH) {
  return pages.map((elements, i) => {
    const token = i + 1 < pages.length ? `tok-${i + 1}` : undefined
    const link = pageLink(token, paging, path)
    return qualtrics()
      .post(path, filterOf(filterType, value))
      .query(i === 0 ? { pageSize: '100' } : { pageSize: '100', skipToken: `tok-${i}` })
      .reply(200, ok({ elements, ...link }))
  })
}

const nearPage = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `CID_other${i}`, extRef: `other-${i}` }))

describe.each<Paging>(['nextPage', 'skipToken'])(
  'a lookup reads every page of every identifier search (%s)',
  (paging) => {
    it('by email: the person’s own contact behind a full page of other people is found, not created again', async () => {
      pagedSearch('extRef', 'user-1', [[]], paging)
      const pages = pagedSearch(
        'email',
        'shared@example.com',
        [nearPage(100), [{ id: 'CID_own', externalDataReference: 'user-1' }]],
        paging
      )
      const seen: string[][] = []
      acceptTransactions(1, seen)
      const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'shared@example.com' })])
      expect(pages.every((page) => page.isDone())).toBe(true)
      expect(seen).toEqual([['CID_own']])
      expect(node.body).toMatchObject({ contactId: 'CID_own', contact: 'email', nearMatchCount: 100 })
    })

    it('by phone: the same, with the contact shown as phoneNumber', async () => {
      const pages = pagedSearch(
        'phone',
        '+15550100',
        [nearPage(100), [{ id: 'CID_own', phoneNumber: '+15550100' }]],
        paging
      )
      acceptTransactions()
      const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { phone: '+15550100' })], {
        matchContactBy: ['phone']
      })
      expect(pages.every((page) => page.isDone())).toBe(true)
      expect(node.body).toMatchObject({ contactId: 'CID_own', contact: 'phone' })
    })
  }
)

describe('what a search shows is read under either name, everywhere', () => {
  it('the cache remembers the phone a found contact shows as phoneNumber: the next event by phone is not searched', async () => {
    pagedSearch(
      'extRef',
      'user-1',
      [[{ id: 'CID_own', externalDataReference: 'user-1', phoneNumber: '+15550100' }]],
      'skipToken'
    )
    acceptTransactions(2)
    await transactionsBatch(instance.testDestination, [purchase(1, { phone: '+15550100' })])
    const [node] = await transactionsBatch(instance.testDestination, [purchase(2, { phone: '+15550100' }, '')], {
      matchContactBy: ['phone'],
      extRef: ''
    })
    expect(node.body).toMatchObject({ contactId: 'CID_own', contact: 'cached' })
  })

  it('a contact shown with externalDataReference that is another person’s is passed over, and the person created', async () => {
    pagedSearch('extRef', 'user-1', [[{ id: 'CID_near', externalDataReference: 'USER-1' }]], 'skipToken')
    qualtrics()
      .post(CONTACTS, { extRef: 'user-1' })
      .reply(200, ok({ id: 'CID_new' }))
    acceptTransactions()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, {})])
    expect(node.body).toMatchObject({ contactId: 'CID_new', contact: 'created', nearMatches: ['CID_near'] })
  })
})

describe('deletion reads the search under either reading', () => {
  const directories = () =>
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: DIRECTORY }], nextPage: null }))
  const deleting = (id: string) => qualtrics().delete(`${CONTACTS}/${id}`).reply(200, {})
  const onDelete = (userId: string) =>
    instance.testDestination.onDelete!(createTestEvent({ userId }), settings as JSONObject) as Promise<
      Record<string, unknown>
    >

  it('deletes the contacts a search shows with externalDataReference (and leaves the other case alone)', async () => {
    directories()
    pagedSearch(
      'extRef',
      'user-42',
      [
        [
          { id: 'CID_1', externalDataReference: 'user-42' },
          { id: 'CID_2', externalDataReference: 'USER-42' }
        ]
      ],
      'nextPage'
    )
    const removed = deleting('CID_1')
    const result = await onDelete('user-42')
    expect(removed.isDone()).toBe(true)
    expect(result).toMatchObject({ contactsDeleted: 1 })
  })

  it('follows a skipToken to the next page of matches', async () => {
    directories()
    pagedSearch(
      'extRef',
      'user-42',
      [[{ id: 'CID_1', extRef: 'user-42' }], [{ id: 'CID_2', extRef: 'user-42' }]],
      'skipToken'
    )
    deleting('CID_1')
    deleting('CID_2')
    expect(await onDelete('user-42')).toMatchObject({ contactsDeleted: 2 })
  })
})

describe('paging is bounded', () => {
  const byEmail = { matchContactBy: ['email'] }

  it('a search whose skipToken never ends stops after 200 pages with a final error', async () => {
    let pages = 0
    qualtrics()
      .post(SEARCH_PATH, filterOf('email', 'a@b.co'))
      .query(true)
      .reply(200, () => ok({ elements: [], skipToken: `t${++pages}` }))
      .persist()
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'a@b.co' })], byEmail)
    expect(pages).toBe(200)
    expect(node).toMatchObject({ status: 422, errormessage: expect.stringMatching(/an end to paging after 200 pages/) })
  })

  it('a skipToken answered again (the same page over and over) is not followed twice', async () => {
    qualtrics()
      .post(SEARCH_PATH, filterOf('email', 'a@b.co'))
      .query({ pageSize: '100' })
      .reply(200, ok({ elements: [{ id: 'CID_1' }], skipToken: 'same' }))
    qualtrics()
      .post(SEARCH_PATH, filterOf('email', 'a@b.co'))
      .query({ pageSize: '100', skipToken: 'same' })
      .reply(200, ok({ elements: [{ id: 'CID_1' }], skipToken: 'same' }))
    const [node] = await transactionsBatch(instance.testDestination, [purchase(1, { email: 'a@b.co' })], byEmail)
    expect(node).toMatchObject({ status: 422, errormessage: expect.stringMatching(/skipToken/) })
  })
})
