/** The steps that only read: whoami (and the OAuth token before it), the directory's settings, one empty search. */
import { qualtricsHostOf } from './options'
import { NOT_OBSERVED } from './rows'
import type { CheckContext } from './context'
import { isObject, resultOf, searchByExtRef } from './context'

const MAX_DIRECTORY_PAGES = 50

export async function observeWhoami(ctx: CheckContext): Promise<void> {
  const answer = await ctx.api.call('GET', '/whoami')
  const oauth = ctx.api.authKind === 'oauth'
  if (answer.status === 403 && oauth) {
    ctx.findings.set(
      'whoami',
      'refused for this OAuth token',
      `403 for the OAuth token (${ctx.api.failure('GET', '/whoami', answer).message}): whoami needs a scope the client lacks (read:users?)`
    )
  } else if (answer.status !== 200) {
    throw ctx.api.failure('GET', '/whoami', answer)
  } else {
    const result = resultOf(answer.body)
    const meta = isObject(answer.body.meta) ? answer.body.meta : {}
    const notice = typeof meta.notice === 'string' ? `; notice: "${meta.notice.slice(0, 160)}"` : ''
    ctx.findings.set(
      'whoami',
      notice ? 'proxied' : 'answered',
      `accountType ${String(result.accountType)}, datacenter ${String(result.datacenter)}${notice}`
    )
  }
  const token = ctx.api.tokenOutcome
  if (oauth && token) {
    const smaller = token.asked.length > 1 ? `, after invalid_scope for ${token.asked.length - 1} larger set(s)` : ''
    ctx.findings.set(
      'oauthScopes',
      token.asked.length > 1 ? 'invalid_scope, then a smaller set' : 'first set granted',
      `granted ${token.granted?.join(' ')}${smaller}`
    )
  }
}

/** The skipToken to send back for the next page: from the answer, or from its nextPage URL's query. */
function nextSkipToken(result: Record<string, unknown>): string | undefined {
  if (typeof result.skipToken === 'string' && result.skipToken !== '') return result.skipToken
  if (typeof result.nextPage !== 'string') return undefined
  try {
    return new URL(result.nextPage).searchParams.get('skipToken') ?? undefined
  } catch {
    return undefined
  }
}

/**
 * Finds the directory in `GET /directories` and reads its deduplication flags. Pages are followed by sending the
 * skipToken back to the base URL given, never by calling a URL an answer names (nor a host it names).
 */
export async function observeDirectory(ctx: CheckContext): Promise<void> {
  // A page of one first: with two directories or more, its nextPage shows where next pages point.
  const probe = resultOf(await ctx.api.expectOk('GET', '/directories?pageSize=1'))
  if (typeof probe.nextPage === 'string') ctx.nextPages.push(probe.nextPage)
  let skipToken: string | undefined
  let seen = 0
  for (let page = 0; page < MAX_DIRECTORY_PAGES; page++) {
    const query = `pageSize=100${skipToken ? `&skipToken=${encodeURIComponent(skipToken)}` : ''}`
    const result = resultOf(await ctx.api.expectOk('GET', `/directories?${query}`))
    if (typeof result.nextPage === 'string') ctx.nextPages.push(result.nextPage)
    const elements = Array.isArray(result.elements) ? result.elements.filter(isObject) : []
    seen += elements.length
    const directory = elements.find((element) => element.directoryId === ctx.options.directoryId)
    if (directory) {
      const criteria = isObject(directory.deduplicationCriteria) ? directory.deduplicationCriteria : {}
      ctx.flags = Object.keys(criteria).filter((name) => criteria[name] === true)
      const several = ctx.flags.length > 1 ? ': one AND rule or one rule per flag (see the next row)' : ''
      const shown = ctx.flags.length ? ctx.flags.join(' + ') : 'none'
      ctx.findings.set('deduplicationFlags', shown, `flags on: ${shown}${several}`)
      return
    }
    skipToken = nextSkipToken(result)
    if (!skipToken) break
  }
  throw new Error(
    `The directory ${ctx.options.directoryId} is not among the ${seen} directories this account can see (GET /directories)`
  )
}

/** How a search page says where the next is: a `nextPage` key (a URL, or null on the last page) or a skipToken only. */
export function observePaging(ctx: CheckContext, result: Record<string, unknown>, elements: number): void {
  const on = elements === 0 ? 'an empty search' : `a search of ${elements} element(s)`
  if ('nextPage' in result) {
    const what = typeof result.nextPage === 'string' ? 'a nextPage URL' : 'nextPage: null (the last page)'
    ctx.findings.set('searchPaging', 'nextPage', `${on} answered ${what}`)
  } else {
    const token = typeof result.skipToken === 'string' ? 'a skipToken' : 'no skipToken (the last page)'
    ctx.findings.set('searchPaging', 'skipToken', `${on} answered no nextPage key, ${token}`)
  }
}

/** A search no contact can match: shows the search answer's shape without touching anyone. */
export async function observeEmptySearch(ctx: CheckContext): Promise<void> {
  const result = await searchByExtRef(ctx, `${ctx.marker}-absent`)
  const count = Array.isArray(result.elements) ? result.elements.length : 0
  observePaging(ctx, result, count)
}

/** Where the nextPage URLs seen point: the base host, another Qualtrics host the destination follows, or elsewhere. */
export function observeNextPageHost(ctx: CheckContext): void {
  if (ctx.nextPages.length === 0) {
    const reason = 'no answer carried a nextPage URL (every listing and search fitted on one page)'
    return ctx.findings.set('nextPageHost', NOT_OBSERVED, `${NOT_OBSERVED}: ${reason}`)
  }
  const base = new URL(ctx.api.origin).host
  const kinds = new Set<string>()
  for (const url of ctx.nextPages) {
    const host = qualtricsHostOf(url)
    if (URL.canParse(url) && new URL(url).host === base) kinds.add(`the base host (${base})`)
    else if (host) kinds.add(`another Qualtrics host (${host})`)
    else kinds.add(`a host outside the rule (${url.slice(0, 60)})`)
  }
  const reading = [...kinds].some((kind) => kind.startsWith('another')) ? 'otherQualtricsHost' : 'sameHost'
  ctx.findings.set('nextPageHost', reading, `${ctx.nextPages.length} nextPage URL(s) named ${[...kinds].join(', ')}`)
}
