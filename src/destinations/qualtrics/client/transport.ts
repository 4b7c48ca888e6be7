import type { ModifiedResponse, RequestClient, StateContext, StatsContext } from '@segment/actions-core'
import type { AdaptiveLimit } from './adaptive-limit'
import { systemClock } from '../memory/clock'
import type { ClientState } from './client-state'
import { accountKey, resolveCredentials, secretsOf } from './credentials'
import type { Credentials } from './credentials'
import { apiBaseUrl, normaliseDatacenter } from './datacenter'
import { scopeOf } from './endpoints'
import { freshTokenRefused, oauthTokens, TOKEN_OPERATION } from './oauth-token-request'
import type { TokenExchange } from './oauth-token-request'
import type { ScopedTokens } from './oauth-scopes'
import type { OAuthSession } from './oauth-tokens'
import { backoffDelayMs, withinDeadline } from './timing'
import { noResponseError, qualtricsError, redactedAnswer, timeoutError, unexpectedResponse, withAnswer } from './errors'
import type { Operation } from './errors'
import { isPathId, pathSegment } from './ids'
import { checkQualtricsUrl } from './qualtrics-url'
import { countRequest, Stats } from './stats'
import { Redactor } from './redaction'
import type { Envelope, Page, QualtricsAuth } from './types'

/** The most pages a listing follows, so that a server that never stops paging cannot hold an action forever. */
const MAX_PAGES = 200

/** A path under the API base (`/API/v3/`) whose every segment is a plain one: no `.`, `..` or empty segment. */
const isApiPath = (path: string, apiPrefix: string) =>
  path.startsWith(apiPrefix) &&
  path
    .slice(1)
    .split('/')
    .every((segment) => isPathId(segment))

/** What one invocation gives its client, beyond the destination instance's state. */
export interface ClientOptions {
  /** How many times a 429 is retried after a pause (batches use this to back off instead of failing events). */
  retriesOn429?: number
  /** The runtime's state, when it gives one: OAuth tokens are kept there for later invocations. */
  stateContext?: StateContext
  /** The runtime's counters, when it gives them: requests by endpoint and status, contact cache hits (stats.ts). */
  statsContext?: StatsContext
}

export interface SendOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  json?: unknown
  body?: string
  headers?: Record<string, string>
}

/**
 * How the client talks to Qualtrics: the API base, the credential (token or OAuth), timeouts, 429 back-off, paging
 * and the mapping of answers to actions-core errors. `QualtricsClient` adds one method per Qualtrics call.
 */
export class QualtricsTransport {
  readonly stats: Stats
  /** The runtime's state, kept for the contact cache's second level (contacts/contact-levels.ts). */
  readonly stateContext?: StateContext
  protected readonly base: string
  protected readonly datacenter: string
  protected readonly credentials: Credentials
  /** The API token, or '' when only an OAuth client is set (workflows then refuse to start). */
  protected readonly token: string
  /** Set when REST calls use OAuth: their Bearer tokens, by the scopes each call needs. */
  protected readonly oauth?: ScopedTokens
  /**
   * This client's secrets (API token, OAuth client secret and Basic credentials, every access token it used) and
   * nothing else: what the client shows (errors, notes, answers) and what is shown of its outcomes goes through it.
   */
  readonly redactor: Redactor

  protected readonly timeoutMs: number
  protected readonly retriesOn429: number

  constructor(
    protected readonly request: RequestClient,
    auth: QualtricsAuth,
    /** The destination instance's state: its API origin, timeout, clock and OAuth tokens (client-state.ts). */
    readonly state: ClientState,
    options: ClientOptions = {}
  ) {
    this.timeoutMs = state.requestTimeoutMs
    this.retriesOn429 = options.retriesOn429 ?? 0
    this.stats = new Stats(options.statsContext)
    this.stateContext = options.stateContext
    // Every check runs before any request exists, so a bad setting never reaches the network.
    this.base = apiBaseUrl(auth.datacenter, state.apiOrigin)
    this.datacenter = normaliseDatacenter(auth.datacenter)
    this.credentials = resolveCredentials(auth)
    this.token = this.credentials.apiToken ?? ''
    this.redactor = new Redactor(secretsOf(this.credentials))
    if (this.credentials.oauth) {
      const exchange: TokenExchange = (url, request) => this.exchange(url, request, TOKEN_OPERATION)
      this.oauth = oauthTokens(
        this.base,
        this.datacenter,
        this.credentials.oauth,
        exchange,
        state,
        options.stateContext
      )
    }
  }

  /**
   * Who is asking, for sharing work between concurrent calls in this process: the API base and the credential REST
   * calls use, as digests (never a secret itself, which must not sit in keys that could be logged).
   */
  get account(): string {
    return accountKey(this.base, this.credentials)
  }

  /** Which credentials are set: testAuthentication checks each. */
  get credentialsSet(): { apiToken: boolean; oauth: boolean } {
    return { apiToken: this.credentials.apiToken !== undefined, oauth: this.oauth !== undefined }
  }

  protected directoryUrl(directoryId: string): string {
    return `${this.base}/directories/${pathSegment(directoryId, 'Directory ID')}`
  }

  /**
   * An access token for a call to `operation`, with the scope its endpoint needs, from `get` (the session's current,
   * renewed or fresh token): it becomes one of this client's secrets, and a failure to get one is redacted of them.
   */
  protected async accessToken(
    operation: Operation,
    get: (session: OAuthSession) => Promise<string>
  ): Promise<string | undefined> {
    if (!this.oauth) return undefined
    try {
      const token = await this.oauth.token(scopeOf(operation.endpoint), operation, get)
      this.redactor.add(token)
      return token
    } catch (error) {
      throw this.redactor.error(error)
    }
  }

  /**
   * Every element of a listing or search, page after page. A page names the next one by a full `nextPage` URL or
   * only by a `skipToken` to send back on the same request (research notes §16: both are seen); `nextPage: null`
   * ends it. Bounded: at most MAX_PAGES pages, and a page naming itself again is refused, so a server that never
   * stops paging cannot hold an action forever.
   */
  protected async listAll<T>(
    firstUrl: string,
    operation: Operation,
    options: SendOptions = { method: 'GET' }
  ): Promise<T[]> {
    const items: T[] = []
    let url: string | undefined = firstUrl
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw this.unexpected(operation, `an end to paging after ${MAX_PAGES} pages`, undefined)
      const { result, data }: { result?: Page<T>; data: unknown } = await this.answer<Page<T>>(url, operation, options)
      // A listing without its list cannot be shown or searched: final, naming Qualtrics' request id.
      if (!Array.isArray(result?.elements)) throw this.unexpected(operation, 'a list (result.elements)', data)
      items.push(...result.elements)
      const next = this.nextPageOf(firstUrl, result, operation, data)
      if (next !== undefined && next === url) {
        throw this.unexpected(operation, 'a next page (nextPage or skipToken) other than the page just read', data)
      }
      url = next
    }
    return items
  }

  /** The URL of the page after `page`, or undefined on the last (a `nextPage` is checked: `followedNextPage`). */
  private nextPageOf(firstUrl: string, page: Page<unknown>, operation: Operation, data: unknown): string | undefined {
    const { nextPage, skipToken } = page
    if (typeof nextPage === 'string' && nextPage !== '') return this.followedNextPage(nextPage, operation, data)
    if (nextPage === null || typeof skipToken !== 'string' || skipToken === '') return undefined
    const next = new URL(firstUrl)
    next.searchParams.set('skipToken', skipToken)
    return next.toString()
  }

  /**
   * Where a `nextPage` is fetched, since the token goes with it: the API base's own origin as it is; another
   * Qualtrics host (a proxied datacenter, an organisation host) only when it passes the one host rule
   * (qualtrics-url.ts) and names an API path, sent there, or to the local API origin when one is set (local runs:
   * every Qualtrics host is the sandbox there, so the token still leaves for loopback only). Anything else is refused.
   */
  private followedNextPage(nextPage: string, operation: Operation, data: unknown): string {
    const { origin, pathname } = new URL(this.base)
    if (nextPage.startsWith(`${origin}/`)) return nextPage
    const checked = checkQualtricsUrl(nextPage)
    if ('parts' in checked && isApiPath(checked.parts.path, `${pathname}/`)) {
      const { host, path, query } = checked.parts
      return `${this.state.apiOrigin ?? `https://${host}`}${path}${query === '' ? '' : `?${query}`}`
    }
    const missing = `a next page on ${origin} or on another Qualtrics host's API (it pointed elsewhere and was not followed)`
    throw this.unexpected(operation, missing, data)
  }

  /** The `result` of a 2xx answer, or a final error naming the request id when there is none. */
  protected async resultOf<T>(url: string, options: SendOptions, operation: Operation): Promise<T> {
    const { result, data } = await this.answer<T>(url, operation, options)
    if (result === undefined) throw this.unexpected(operation, 'a result', data)
    return result
  }

  /** A 2xx answer's `result` when it is an object (else undefined), with the whole answer for notes and errors. */
  protected async answer<T>(
    url: string,
    operation: Operation,
    options: SendOptions = { method: 'GET' }
  ): Promise<{ result: T | undefined; data: unknown }> {
    const data = (await this.send(url, options, operation, true)).data
    const result = (data as Envelope<T> | undefined)?.result
    return { result: result !== null && typeof result === 'object' ? result : undefined, data }
  }

  /** A final error for a 2xx that lacks what the caller needs, carrying Qualtrics' answer (redacted). */
  protected unexpected(operation: Operation, missing: string, data: unknown): Error {
    const error = this.redactor.error(unexpectedResponse(operation, missing, data))
    return withAnswer(error, redactedAnswer(data, this.redactor))
  }

  /**
   * One call, with the REST credential when `restAuth` (an OAuth Bearer token when a client is set, else the API
   * token); without it the caller brings its own (workflows). A Bearer token refused with 401 is replaced once.
   */
  protected async send(
    url: string,
    options: SendOptions,
    operation: Operation,
    restAuth: boolean,
    limit?: AdaptiveLimit
  ): Promise<ModifiedResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    const oauth = restAuth ? this.oauth : undefined
    if (restAuth && !oauth) headers['x-api-token'] = this.token
    let bearer = oauth ? await this.accessToken(operation, (session) => session.current()) : undefined
    let renewed = false
    let response: ModifiedResponse
    let retries429 = 0
    for (;;) {
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
      try {
        const exchange = () => this.exchange(url, { ...options, headers }, operation)
        response = await (limit ? limit.run(exchange) : exchange())
      } catch (error) {
        throw withAnswer(this.redactor.error(noResponseError(error, operation, this.timeoutMs)), undefined)
      }
      if (oauth && bearer !== undefined && response.status === 401 && !renewed) {
        // A kept token may have been revoked or have expired early: drop it, get one new token, try once more.
        renewed = true
        const stale = bearer
        bearer = await this.accessToken(operation, (session) => session.renew(stale))
        continue
      }
      if (response.status !== 429 || retries429 >= this.retriesOn429) break
      const pause = backoffDelayMs(retries429++, response.headers.get('retry-after'), this.state.clock.now())
      await this.state.clock.sleep(pause)
    }
    if (response.status < 200 || response.status >= 300) {
      const error =
        oauth && response.status === 401
          ? freshTokenRefused(operation, this.datacenter)
          : qualtricsError(response.status, response.data, operation, oauth ? 'OAuth client' : 'API token')
      throw withAnswer(this.redactor.error(error), redactedAnswer(response.data, this.redactor))
    }
    return response
  }

  /** One request and its whole answer, body included, within the timeout (see `withinDeadline` for why a race). */
  protected exchange(url: string, options: SendOptions, operation: Operation): Promise<ModifiedResponse> {
    const request = () =>
      this.request(url, {
        method: options.method,
        json: options.json,
        body: options.body,
        headers: options.headers,
        // Still given: a server that never sends headers then has its request aborted by actions-core itself.
        timeout: this.timeoutMs,
        throwHttpErrors: false,
        // Read the answer itself, not a clone: node-fetch's timeout then bounds the body read too, and a connection
        // dropped mid-body rejects this call instead of erroring an unread original stream (which ends the process).
        skipResponseCloning: true,
        // A redirect could carry the token to another host: never follow one.
        redirect: 'manual'
      })
    const { endpoint } = operation
    // The network's time, not the instance's clock: a request takes what it takes.
    const timedOut = () => timeoutError(operation, this.timeoutMs)
    return withinDeadline(request, this.timeoutMs, timedOut, systemClock).then(
      (response) => {
        countRequest(this.stats, endpoint, response.status)
        return response
      },
      (error: unknown) => {
        countRequest(this.stats, endpoint, 'no response')
        throw error
      }
    )
  }
}
