import {
  PayloadValidationError,
  type ModifiedResponse,
  type RequestClient,
  type StateContext,
  type StatsContext
} from '@segment/actions-core'
import type { AdaptiveLimit } from './adaptive-limit'
import { accountKey, requireWorkflowToken, resolveCredentials, type Credentials } from './credentials'
import { apiBaseUrl, normaliseDatacenter } from './datacenter'
import { freshTokenRefused, oauthSession, TOKEN_OPERATION, type TokenExchange } from './oauth-token-request'
import type { Clock, OAuthSession } from './oauth-tokens'
import { backoffDelayMs, withinDeadline } from './timing'
import {
  cameFromQualtrics,
  missingFromAnswer,
  noResponseError,
  qualtricsError,
  redactedAnswer,
  redactJson,
  requestIdOf,
  timeoutError,
  transactionsNotFound,
  unexpectedResponse,
  withAnswer,
  type Operation
} from './errors'
import { getRequestTimeout } from './local-switches'
import { countRequest, endpointOf, Stats } from './stats'
import { redactSecret } from './redaction'
import type {
  ContactBody,
  ContactRecord,
  Directory,
  Envelope,
  MailingList,
  Page,
  QualtricsAuth,
  SearchableIdentifier,
  SentRequest,
  TransactionEntry,
  TransactionsAnswer,
  TransactionsResult,
  WhoAmI
} from './types'
import { resolveWorkflowUrl } from './workflow-url'

/** Qualtrics' documented limit for a JSON Event body. */
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024
/** The most pages a listing follows, so that a server that never stops paging cannot hold an action forever. */
const MAX_PAGES = 200

export interface ClientOptions {
  timeoutMs?: number
  /** How many times a 429 is retried after a pause (batches use this to back off instead of failing events). */
  retriesOn429?: number
  /** The runtime's state, when it gives one: OAuth tokens are kept there for later invocations. */
  stateContext?: StateContext
  /** The runtime's counters, when it gives them: requests by endpoint and status, contact cache hits (stats.ts). */
  statsContext?: StatsContext
  /** For tests: the clock OAuth token expiry is measured with. */
  clock?: Clock
}

const BATCH_RETRIES_ON_429 = 3

interface SendOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  json?: unknown
  body?: string
  headers?: Record<string, string>
}

/**
 * The one place that talks to Qualtrics: URLs, the auth header, timeouts, paging and error mapping. Every
 * action, dynamic field and `testAuthentication` goes through it.
 */
export class QualtricsClient {
  readonly sent: SentRequest[] = []
  readonly stats: Stats
  /** The runtime's state, kept for the contact cache's second level (contacts/contact-levels.ts). */
  readonly stateContext?: StateContext
  private readonly base: string
  private readonly datacenter: string
  private readonly credentials: Credentials
  /** The API token, or '' when only an OAuth client is set (workflows then refuse to start). */
  private readonly token: string
  /** Set when REST calls use OAuth: their Bearer tokens. */
  private readonly oauth?: OAuthSession

  private readonly timeoutMs: number
  private readonly retriesOn429: number

  constructor(
    private readonly request: RequestClient,
    auth: QualtricsAuth,
    options: ClientOptions = {}
  ) {
    this.timeoutMs = options.timeoutMs ?? getRequestTimeout()
    this.retriesOn429 = options.retriesOn429 ?? 0
    this.stats = new Stats(options.statsContext)
    this.stateContext = options.stateContext
    // Every check runs before any request exists, so a bad setting never reaches the network.
    this.base = apiBaseUrl(auth.datacenter)
    this.datacenter = normaliseDatacenter(auth.datacenter)
    this.credentials = resolveCredentials(auth)
    this.token = this.credentials.apiToken ?? ''
    if (this.credentials.oauth) {
      const exchange: TokenExchange = (url, request) => this.exchange(url, request, TOKEN_OPERATION)
      this.oauth = oauthSession(this.base, this.datacenter, this.credentials.oauth, exchange, options)
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

  /** The client a batch uses: it backs off and retries on 429 rather than failing the events at once. */
  static forBatch(request: RequestClient, auth: QualtricsAuth, options: ClientOptions = {}): QualtricsClient {
    return new QualtricsClient(request, auth, { ...options, retriesOn429: BATCH_RETRIES_ON_429 })
  }

  whoami(): Promise<WhoAmI> {
    const description = this.oauth ? 'check the OAuth client' : 'check the API token'
    return this.resultOf<WhoAmI>(`${this.base}/whoami`, { method: 'GET' }, { description })
  }

  /** Fetches a new OAuth access token now, whatever is cached (testAuthentication proves the client works today). */
  async renewAccessToken(): Promise<void> {
    await this.oauth?.fresh()
  }

  listDirectories(): Promise<Directory[]> {
    return this.listAll<Directory>(`${this.base}/directories`, { description: 'list directories' })
  }

  listMailingLists(directoryId: string): Promise<MailingList[]> {
    return this.listAll<MailingList>(`${this.directoryUrl(directoryId)}/mailinglists`, {
      description: 'list mailing lists',
      notFound: `directory ${directoryId} was not found`
    })
  }

  /** Creates (or, through the directory's deduplication, updates) a contact whose id the caller needs to go on. */
  async createContact(directoryId: string, contact: ContactBody): Promise<string> {
    const { contactId, data, operation } = await this.postContact(directoryId, contact)
    // A transaction must name its contact: without the id the event cannot succeed, and a retry would create another.
    if (!contactId) throw this.unexpected(operation, 'a contact id', data)
    return contactId
  }

  /**
   * Creates or updates a contact for the upsertContact action, which does not need the id to go on: a 2xx without
   * one is still a success, reported with a note instead of an error.
   */
  async writeContact(directoryId: string, contact: ContactBody): Promise<{ contactId?: string; note?: string }> {
    const { contactId, data, operation } = await this.postContact(directoryId, contact)
    if (contactId) return { contactId }
    return { note: redactSecret(missingFromAnswer(operation, 'contact id', data), this.token) }
  }

  /** Contacts in the directory whose identifier equals `value`; `limit` stops early (2 is enough to spot ambiguity). */
  async searchContacts(
    directoryId: string,
    filterType: SearchableIdentifier,
    value: string,
    limit: number
  ): Promise<ContactRecord[]> {
    const operation = {
      description: `search the directory by ${filterType}`,
      notFound: `directory ${directoryId} was not found`
    }
    const url = `${this.directoryUrl(directoryId)}/contacts/search?pageSize=${Math.min(Math.max(limit, 1), 100)}`
    const filter = { filter: { filterType, comparison: 'eq', value } }
    const { result, data } = await this.answer<Page<ContactRecord>>(url, operation, { method: 'POST', json: filter })
    const elements = result?.elements
    // Without the list the action cannot tell a known contact from a new one, so it cannot go on.
    if (!Array.isArray(elements) || elements.some((c) => typeof c?.id !== 'string')) {
      throw this.unexpected(operation, 'a list of contacts with ids (result.elements)', data)
    }
    return elements.slice(0, limit)
  }

  /**
   * Adds transactions. A 2xx that reports neither map still means Qualtrics took the request: a retry could store
   * every transaction twice, so the answer carries a note instead of failing. The result comes back redacted.
   */
  async createTransactions(
    directoryId: string,
    transactions: Record<string, TransactionEntry>
  ): Promise<TransactionsAnswer> {
    const operation = { description: 'add the transaction', notFound: transactionsNotFound(directoryId, transactions) }
    const url = `${this.directoryUrl(directoryId)}/transactions`
    const { result, data } = await this.answer<TransactionsResult>(url, operation, {
      method: 'POST',
      json: transactions
    })
    const requestId = requestIdOf(data)
    if (!result?.createdTransactions && !result?.unprocessedTransactions) {
      const missing = 'createdTransactions or unprocessedTransactions'
      return { requestId, note: redactSecret(missingFromAnswer(operation, missing, data), this.token) }
    }
    const clean = redactJson(result, this.token)
    return {
      createdTransactions: clean.createdTransactions,
      unprocessedTransactions: clean.unprocessedTransactions,
      requestId
    }
  }

  /**
   * Posts a JSON Event to a workflow. `username` switches to Qualtrics' Basic form (username:token); otherwise the
   * token goes in X-API-TOKEN. The URL is checked before anything is built, and the body size before it is sent.
   * `limit`, when given, gates every request of the call (429 retries too) and learns from each answer.
   */
  async triggerWorkflow(
    workflowUrl: string,
    payload: unknown,
    username?: string,
    limit?: AdaptiveLimit
  ): Promise<unknown> {
    // JSON Events refuse OAuth: the API token is the only credential that can start a workflow.
    const token = requireWorkflowToken(this.credentials)
    const url = resolveWorkflowUrl(workflowUrl)
    const body = JSON.stringify(payload ?? {})
    const size = Buffer.byteLength(body)
    if (size > WORKFLOW_BODY_LIMIT_BYTES) {
      throw new PayloadValidationError(
        `Event payload is ${size} bytes, over Qualtrics' JSON Event limit of ${WORKFLOW_BODY_LIMIT_BYTES} bytes (100 KB); nothing was sent.`
      )
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`
    } else {
      headers['x-api-token'] = token
    }
    const response = await this.send(
      url,
      { method: 'POST', body, headers },
      {
        description: 'start the workflow',
        notFound: 'the workflow URL was not found (is the JSON Event still active?)'
      },
      false,
      limit
    )
    return response.data ?? {}
  }

  private directoryUrl(directoryId: string): string {
    if (typeof directoryId !== 'string' || directoryId.trim() === '') {
      throw new PayloadValidationError('Directory ID is missing: choose the XM Directory (POOL_…) to write to.')
    }
    return `${this.base}/directories/${encodeURIComponent(directoryId.trim())}`
  }

  private async postContact(directoryId: string, contact: ContactBody) {
    const operation = { description: 'create the contact', notFound: `directory ${directoryId} was not found` }
    const url = `${this.directoryUrl(directoryId)}/contacts`
    const { result, data } = await this.answer<{ id?: unknown }>(url, operation, { method: 'POST', json: contact })
    const id = result?.id
    return { contactId: typeof id === 'string' && id !== '' ? id : undefined, data, operation }
  }

  /** Follows `result.nextPage` to the end, refusing pages that point off the API host (the token goes with them). */
  private async listAll<T>(
    firstUrl: string,
    operation: Operation,
    options: SendOptions = { method: 'GET' }
  ): Promise<T[]> {
    const items: T[] = []
    const origin = new URL(this.base).origin
    let url: string | null | undefined = firstUrl
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw this.unexpected(operation, `an end to paging after ${MAX_PAGES} pages`, undefined)
      const { result, data }: { result?: Page<T>; data: unknown } = await this.answer<Page<T>>(url, operation, options)
      // A listing without its list cannot be shown or searched: final, naming Qualtrics' request id.
      if (!Array.isArray(result?.elements)) throw this.unexpected(operation, 'a list (result.elements)', data)
      items.push(...result.elements)
      url = result.nextPage
      if (url && !String(url).startsWith(`${origin}/`)) {
        const missing = `a next page on ${origin} (it pointed elsewhere and was not followed)`
        throw this.unexpected(operation, missing, data)
      }
    }
    return items
  }

  /** The `result` of a 2xx answer, or a final error naming the request id when there is none. */
  private async resultOf<T>(url: string, options: SendOptions, operation: Operation): Promise<T> {
    const { result, data } = await this.answer<T>(url, operation, options)
    if (result === undefined) throw this.unexpected(operation, 'a result', data)
    return result
  }

  /** A 2xx answer's `result` when it is an object (else undefined), with the whole answer for notes and errors. */
  private async answer<T>(
    url: string,
    operation: Operation,
    options: SendOptions = { method: 'GET' }
  ): Promise<{ result: T | undefined; data: unknown }> {
    const data = (await this.send(url, options, operation, true)).data
    const result = (data as Envelope<T> | undefined)?.result
    return { result: result !== null && typeof result === 'object' ? result : undefined, data }
  }

  /** A final error for a 2xx that lacks what the caller needs, carrying Qualtrics' answer (redacted). */
  private unexpected(operation: Operation, missing: string, data: unknown): Error {
    const error = redactSecret(unexpectedResponse(operation, missing, data), this.token)
    return withAnswer(error, redactedAnswer(data, this.token))
  }

  /**
   * One call, with the REST credential when `restAuth` (an OAuth Bearer token when a client is set, else the API
   * token); without it the caller brings its own (workflows). A Bearer token refused with 401 is replaced once.
   */
  private async send(
    url: string,
    options: SendOptions,
    operation: Operation,
    restAuth: boolean,
    limit?: AdaptiveLimit
  ): Promise<ModifiedResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    const oauth = restAuth ? this.oauth : undefined
    if (restAuth && !oauth) headers['x-api-token'] = this.token
    let bearer = oauth ? await oauth.current() : undefined
    let renewed = false
    let response: ModifiedResponse
    for (let retries429 = 0; ;) {
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
      const record: SentRequest = { method: options.method, url: redactSecret(url, this.token), status: 'no response' }
      this.sent.push(record)
      try {
        const exchange = () => this.exchange(url, { ...options, headers }, operation)
        response = await (limit ? limit.run(exchange) : exchange())
      } catch (error) {
        throw withAnswer(redactSecret(noResponseError(error, operation, this.timeoutMs), this.token), undefined)
      }
      record.status = response.status
      if (oauth && bearer !== undefined && response.status === 401 && !renewed) {
        // A kept token may have been revoked or have expired early: drop it, get one new token, try once more.
        renewed = true
        bearer = await oauth.renew(bearer)
        continue
      }
      if (response.status !== 429 || retries429 >= this.retriesOn429) break
      const pause = backoffDelayMs(retries429++, response.headers.get('retry-after'))
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
    if (response.status < 200 || response.status >= 300) {
      const error =
        oauth && response.status === 401
          ? freshTokenRefused(operation, this.datacenter)
          : qualtricsError(response.status, response.data, operation, oauth ? 'OAuth client' : 'API token')
      throw withAnswer(redactSecret(error, this.token), redactedAnswer(response.data, this.token))
    }
    return response
  }

  /** One request and its whole answer, body included, within the timeout (see `withinDeadline` for why a race). */
  private exchange(url: string, options: SendOptions, operation: Operation): Promise<ModifiedResponse> {
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
    const endpoint = endpointOf(options.method, url)
    return withinDeadline(request, this.timeoutMs, () => timeoutError(operation, this.timeoutMs)).then(
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

  /**
   * Every contact Qualtrics' search returns for this extRef, all pages (bounded by MAX_PAGES). Qualtrics compares
   * without regard to case, so callers that need the exact value must filter the answer themselves.
   */
  async searchContactsByExtRef(directoryId: string, extRef: string): Promise<ContactRecord[]> {
    const operation = {
      description: 'search the directory by extRef',
      notFound: `directory ${directoryId} was not found`
    }
    const url = `${this.directoryUrl(directoryId)}/contacts/search?pageSize=100`
    const json = { filter: { filterType: 'extRef', comparison: 'eq', value: extRef } }
    // Each page is the same search: the next page's URL carries the skip token, the body stays the filter.
    const contacts = await this.listAll<ContactRecord>(url, operation, { method: 'POST', json })
    if (contacts.some((c) => typeof c?.id !== 'string')) {
      throw this.unexpected(operation, 'an id on every contact found (result.elements[].id)', undefined)
    }
    return contacts
  }

  /** Deletes one directory contact; a 404 means it is already gone, which is what the caller wanted. */
  async deleteContact(directoryId: string, contactId: string): Promise<{ alreadyGone: boolean }> {
    const operation = { description: `delete contact ${contactId}`, notFound: `contact ${contactId} was not found` }
    const url = `${this.directoryUrl(directoryId)}/contacts/${encodeURIComponent(contactId)}`
    try {
      await this.send(url, { method: 'DELETE' }, operation, true)
      return { alreadyGone: false }
    } catch (error) {
      if (cameFromQualtrics(error) && (error as { status?: number }).status === 404) return { alreadyGone: true }
      throw error
    }
  }

  /**
   * Asks Qualtrics to erase everything it holds for these emails (contacts, survey responses, tickets). A 2xx
   * without a request id is still accepted, so it comes back as a note rather than an error.
   */
  async erasePersonalData(emails: string[]): Promise<{ requestId?: string; note?: string }> {
    const operation = { description: 'erase personal data' }
    const url = `${this.base}/op-erase-personal-data`
    const answer = await this.answer<{ requestId?: unknown }>(url, operation, { method: 'POST', json: { emails } })
    const requestId = answer.result?.requestId
    if (typeof requestId === 'string' && requestId !== '') return { requestId }
    return {
      note: redactSecret(missingFromAnswer(operation, 'request id (result.requestId)', answer.data), this.token)
    }
  }
}
