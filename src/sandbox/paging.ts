import { badRequest } from './errors'

/** Qualtrics pages hold up to 100 elements. */
export const MAX_PAGE_SIZE = 100

const encodeSkipToken = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url')

function decodeSkipToken(token: string | null): number {
  if (token === null) return 0
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  if (!match) throw badRequest('skipToken is not valid.')
  return Number(match[1])
}

function pageSizeOf(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('pageSize')
  if (raw === null) return Math.min(fallback, max)
  const size = Number(raw)
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badRequest(`pageSize must be an integer from 1 to ${max}.`)
  }
  return size
}

/** One page of `items` and the full URL of the next, as Qualtrics' `nextPage` gives it (null on the last). */
export function page<T>(items: T[], url: URL, origin: string, fallbackSize: number, maxSize = MAX_PAGE_SIZE) {
  const size = pageSizeOf(url, fallbackSize, maxSize)
  const offset = decodeSkipToken(url.searchParams.get('skipToken'))
  const elements = items.slice(offset, offset + size)
  let nextPage: string | null = null
  let skipToken: string | undefined
  if (offset + size < items.length) {
    skipToken = encodeSkipToken(offset + size)
    const next = new URL(url.pathname + url.search, origin)
    next.searchParams.set('pageSize', String(size))
    next.searchParams.set('skipToken', skipToken)
    nextPage = next.toString()
  }
  return { offset, elements, nextPage, skipToken }
}
