/**
 * What the tests of onDelete share. Importing it registers hooks for the test file: `deleted` starts each test empty.
 */
import { createTestEvent, Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics } from '../..'
import { API, API_TOKEN, ok, qualtrics, qualtricsError, settings } from './qualtrics'

export const definition = createQualtrics()
export const BASE = '/API/v3'
export const USER = 'user-42'

interface Contact {
  id: string
  extRef?: string
  email?: string
}

export function run(userId: unknown, extra: Record<string, unknown> = {}, def = definition) {
  const event = createTestEvent({ userId: userId as string })
  return new Destination(def).onDelete!(event, { ...settings, ...extra } as JSONObject) as Promise<
    Record<string, unknown>
  >
}

/** The error the deletion rejects with, which must never carry the token. */
export async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e) => e
  )
  expect(error).toBeInstanceOf(Error)
  expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(API_TOKEN)
  return error as Error & { status?: number; code?: string }
}

/** GET /directories in pages: one page per array, linked by nextPage. */
export function directories(pages: string[][]) {
  pages.forEach((ids, i) => {
    const next = i + 1 < pages.length ? `${API}${BASE}/directories?skipToken=d${i + 1}` : null
    qualtrics()
      .get(`${BASE}/directories`)
      .query(i === 0 ? {} : { skipToken: `d${i}` })
      .reply(200, ok({ elements: ids.map((directoryId) => ({ directoryId })), nextPage: next }))
  })
}

/** The extRef search of one directory in pages; every page must be the same POST body. */
export function search(directoryId: string, pages: Contact[][], extRef = USER) {
  const path = `${BASE}/directories/${directoryId}/contacts/search`
  pages.forEach((elements, i) => {
    const next = i + 1 < pages.length ? `${API}${path}?pageSize=100&skipToken=s${i + 1}` : null
    qualtrics()
      .post(path, { filter: { filterType: 'extRef', comparison: 'eq', value: extRef } })
      .query(i === 0 ? { pageSize: '100' } : { pageSize: '100', skipToken: `s${i}` })
      .reply(200, ok({ elements, nextPage: next }))
  })
}

/** The contact ids whose DELETE was sent, in order, in the running test. */
export const deleted: string[] = []
export function remove(directoryId: string, id: string, status = 200) {
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
