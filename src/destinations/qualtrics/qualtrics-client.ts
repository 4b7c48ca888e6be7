import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError,
  type ModifiedResponse,
  type RequestClient
} from '@segment/actions-core'
import { createHash } from 'node:crypto'

/** Every request Qualtrics is sent gives up after this long and is reported retryable. */
export const REQUEST_TIMEOUT_MS = 15_000
/** Qualtrics' documented limit for a JSON Event body. */
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024
/** The most pages a listing follows, so that a server that never stops paging cannot hold an action forever. */
const MAX_PAGES = 200

export interface QualtricsAuth {
  apiToken: string
  datacenter: string
}

/** One request as Qualtrics was sent it, with the token replaced, for results and local inspection. */
export interface SentRequest {
  method: string
  url: string
  status: number | 'no response'
}

/** What went wrong, in words a Segment user can act on: `notFound` names what a 404 means for this call. */
interface Operation {
  description: string
  notFound?: string
}

type RetryableStatus = ConstructorParameters<typeof RetryableError>[1]
const RETRYABLE_STATUSES = new Set([408, 423, 429, 500, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 598, 599])

// A single DNS label: the datacenter becomes part of a host name, so nothing may escape it.
const DATACENTER_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

let apiOriginOverride: string | undefined

/**
 * Points every Qualtrics request at a local look-alike (the sandbox) instead of `{datacenter}.qualtrics.com`.
 * Only the local process can call this; it is not a setting, and it accepts loopback addresses only, so the
 * token still goes nowhere but Qualtrics or this machine.
 */
export function setApiOriginOverride(origin: string | undefined): void {
  if (origin === undefined || origin === '') {
    apiOriginOverride = undefined
    return
  }
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw new Error(`The Qualtrics API override "${origin}" is not a URL`)
  }
  if (!['http:', 'https:'].includes(url.protocol) || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`The Qualtrics API override must be an http(s) loopback address, not "${origin}"`)
  }
  apiOriginOverride = url.origin
}

export function getApiOriginOverride(): string | undefined {
  return apiOriginOverride
}

let requestTimeoutMs = REQUEST_TIMEOUT_MS

/**
 * Changes the timeout every client uses by default. For local runs only (the fault runs hang sandbox requests and
 * should not wait 15 s for each); like the origin override it is not a setting a Segment user can reach.
 */
export function setRequestTimeout(ms: number | undefined): void {
  if (ms !== undefined && !(Number.isInteger(ms) && ms > 0))
    throw new Error(`Request timeout must be a positive integer, not ${ms}`)
  requestTimeoutMs = ms ?? REQUEST_TIMEOUT_MS
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'empty'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** Lower-cases the datacenter ID and rejects anything that is not a single DNS label. */
export function normaliseDatacenter(datacenter: unknown): string {
  const value = typeof datacenter === 'string' ? datacenter.toLowerCase() : ''
  if (!DATACENTER_PATTERN.test(value)) {
    const shown = typeof datacenter === 'string' ? JSON.stringify(datacenter.slice(0, 80)) : describeType(datacenter)
    throw new IntegrationError(
      `Datacenter ID ${shown} is not valid: use the ID from Account settings → Qualtrics IDs, letters, digits and hyphens only (for example "iad1" or "fra1").`,
      'INVALID_DATACENTER',
      400
    )
  }
  return value
}

/** The API base for a datacenter, e.g. `https://iad1.qualtrics.com/API/v3`. */
export function apiBaseUrl(datacenter: unknown): string {
  const dc = normaliseDatacenter(datacenter)
  return `${apiOriginOverride ?? `https://${dc}.qualtrics.com`}/API/v3`
}

/**
 * Checks a workflow's JSON Event URL and returns the URL to post to. Only https URLs on qualtrics.com or one of
 * its subdomains pass: the URL can be mapped from event data, and the token must never be sent anywhere else.
 */
export function resolveWorkflowUrl(raw: unknown): string {
  let url: URL | undefined
  try {
    url = typeof raw === 'string' ? new URL(raw.trim()) : undefined
  } catch {
    url = undefined
  }
  if (!url) {
    throw new PayloadValidationError(
      'Workflow URL is not a valid URL: copy the JSON Event URL from your Qualtrics workflow.'
    )
  }
  const host = url.hostname.toLowerCase()
  const problem =
    url.protocol !== 'https:'
      ? 'it must use https'
      : url.username || url.password
        ? 'it must not carry a user name or password'
        : host !== 'qualtrics.com' && !host.endsWith('.qualtrics.com')
          ? 'its host must be qualtrics.com or a subdomain of it'
          : url.port !== ''
            ? 'it must not name a port'
            : undefined
  if (problem) {
    throw new PayloadValidationError(
      `Workflow URL is not a Qualtrics JSON Event URL: ${problem}. Nothing was sent, and the API token is never sent to other hosts.`
    )
  }
  return apiOriginOverride ? `${apiOriginOverride}${url.pathname}${url.search}` : url.toString()
}

function requireToken(apiToken: unknown): string {
  if (apiToken !== undefined && apiToken !== null && typeof apiToken !== 'string') {
    throw new InvalidAuthenticationError(`API Token must be text, not ${describeType(apiToken)}.`)
  }
  if (typeof apiToken !== 'string' || apiToken.trim() === '') {
    throw new InvalidAuthenticationError('API Token is missing: copy it from Account settings → Qualtrics IDs.')
  }
  return apiToken
}

export interface QualtricsErrorBody {
  meta?: { httpStatus?: string; requestId?: string; error?: { errorMessage?: string; errorCode?: string } }
}

/** Qualtrics' reason and request id from an error body, when it has them. */
function describeQualtricsReason(body: unknown): string {
  const meta = (body as QualtricsErrorBody | undefined)?.meta
  const reason = meta?.error?.errorMessage
  const code = meta?.error?.errorCode
  const parts = [
    reason ? `${reason}${code ? ` (${code})` : ''}` : undefined,
    meta?.requestId && `request id ${meta.requestId}`
  ]
  return parts.filter(Boolean).join('; ')
}

/** Maps a Qualtrics answer that is not a success to the actions-core error whose status makes Segment do the right thing. */
export function qualtricsError(status: number, body: unknown, operation: Operation): Error {
  const reason = describeQualtricsReason(body)
  const detail = reason ? `: ${reason}` : ''
  const what = `Qualtrics could not ${operation.description}`
  if (status === 400) return new PayloadValidationError(`${what} (400 Bad Request)${detail}`)
  if (status === 401) {
    return new InvalidAuthenticationError(`${what}: the API token is invalid or not for this datacenter (401)${detail}`)
  }
  if (status === 403) {
    return new IntegrationError(`${what}: the API token lacks permission for this (403)${detail}`, 'FORBIDDEN', 403)
  }
  if (status === 404) {
    return new IntegrationError(`${what}: ${operation.notFound ?? 'not found'} (404)${detail}`, 'NOT_FOUND', 404)
  }
  if (status === 413) {
    return new IntegrationError(
      `${what}: the request is too large for Qualtrics (413)${detail}`,
      'PAYLOAD_TOO_LARGE',
      413
    )
  }
  if (status === 429) return new RetryableError(`${what}: rate limited by Qualtrics (429)${detail}`, 429)
  if (status >= 300 && status < 400) {
    return new IntegrationError(
      `${what}: Qualtrics answered with a redirect (${status}), which is not followed`,
      'UNEXPECTED_REDIRECT',
      400
    )
  }
  if (RETRYABLE_STATUSES.has(status)) {
    return new RetryableError(`${what}: Qualtrics is unavailable (${status})${detail}`, status as RetryableStatus)
  }
  if (status >= 500 && status !== 501) {
    return new RetryableError(`${what}: Qualtrics is unavailable (${status})${detail}`, 503)
  }
  return new IntegrationError(`${what} (${status})${detail}`, 'QUALTRICS_ERROR', status)
}

/** A request that got no answer at all (timeout, reset, refused): the outcome is unknown, so Segment should retry. */
export function noResponseError(error: unknown, operation: Operation, timeoutMs = REQUEST_TIMEOUT_MS): RetryableError {
  const name = (error as { name?: string; code?: string })?.name ?? 'Error'
  const code = (error as { code?: string })?.code
  const timedOut = /timeout/i.test(name) || code === 'ETIMEDOUT' || code === 'REQUESTTIMEOUTERROR'
  const why = timedOut ? `no answer within ${timeoutMs} ms` : `the connection failed (${code ?? name})`
  return new RetryableError(`Qualtrics could not ${operation.description}: ${why}`, timedOut ? 504 : 503)
}

/** A 2xx whose body lacks what Qualtrics documents: reported, never dereferenced into a TypeError. */
export function unexpectedResponse(operation: Operation, missing: string): IntegrationError {
  return new IntegrationError(
    `Qualtrics answered the request to ${operation.description} without ${missing}`,
    'UNEXPECTED_RESPONSE',
    502
  )
}

/** Replaces the token wherever it appears, so no message, log line or result can carry it. */
export function redactSecret<T extends Error | string>(value: T, secret: string): T {
  if (!secret) return value
  if (typeof value === 'string') return value.split(secret).join('[redacted]') as T
  if (value.message.includes(secret)) value.message = redactSecret(value.message, secret)
  return value
}

interface Page<T> {
  elements: T[]
  nextPage?: string | null
}

interface Envelope<T> {
  result?: T
}

export interface Directory {
  directoryId: string
  name?: string
  contactCount?: number
  isDefault?: boolean
  deduplicationCriteria?: Record<string, boolean>
}

export interface MailingList {
  mailingListId: string
  name?: string
}

export interface WhoAmI {
  userName?: string
  userId?: string
  brandId?: string
  datacenter?: string
}

export interface ContactRecord {
  id: string
  extRef?: string
  email?: string
  phone?: string
}

export type EmbeddedValue = string | number | boolean
export interface ContactBody {
  extRef?: string
  email?: string
  phone?: string
  firstName?: string
  lastName?: string
  language?: string
  unsubscribed?: boolean
  embeddedData?: Record<string, EmbeddedValue>
}

export type SearchableIdentifier = 'extRef' | 'email' | 'phone'

export interface TransactionEntry {
  contactId: string
  mailingListId: string
  transactionDate: string
  data: Record<string, EmbeddedValue>
}

export interface TransactionsResult {
  createdTransactions?: Record<string, { id?: string }>
  unprocessedTransactions?: Record<string, { error?: string; errorMessage?: string }>
}

export interface ClientOptions {
  timeoutMs?: number
  /** How many times a 429 is retried after a pause (batches use this to back off instead of failing events). */
  retriesOn429?: number
}

/** The pause before retry `attempt` (0-based) after a 429: Retry-After when Qualtrics gives one, else doubling. */
export function backoffDelayMs(attempt: number, retryAfter: string | null): number {
  const seconds = Number(retryAfter)
  if (retryAfter && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_BACKOFF_MS)
  return Math.min(BACKOFF_BASE_MS * 2 ** attempt, MAX_BACKOFF_MS)
}

const BACKOFF_BASE_MS = 250
const BATCH_RETRIES_ON_429 = 3
const MAX_BACKOFF_MS = 4000

/** A 404 on transactions may mean the directory, or a mailing list or contact one of them names: list them all. */
function transactionsNotFound(directoryId: string, transactions: Record<string, TransactionEntry>): string {
  const entries = Object.values(transactions)
  const distinct = (ids: string[]) => [...new Set(ids)]
  const mailingLists = distinct(entries.map((entry) => entry.mailingListId))
  const contacts = distinct(entries.map((entry) => entry.contactId))
  const name = (kind: string, ids: string[]) =>
    ids.length === 1 ? `${kind} ${ids[0]}` : `one of the ${ids.length} ${kind}s (${ids.slice(0, 3).join(', ')}…)`
  return `directory ${directoryId}, ${name('mailing list', mailingLists)} or ${name('contact', contacts)} was not found`
}

interface SendOptions {
  method: 'GET' | 'POST' | 'PUT'
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
  private readonly base: string
  private readonly token: string

  private readonly timeoutMs: number
  private readonly retriesOn429: number

  constructor(
    private readonly request: RequestClient,
    auth: QualtricsAuth,
    options: ClientOptions = {}
  ) {
    this.timeoutMs = options.timeoutMs ?? requestTimeoutMs
    this.retriesOn429 = options.retriesOn429 ?? 0
    // Both checks run before any request exists, so a bad setting never reaches the network.
    this.base = apiBaseUrl(auth.datacenter)
    this.token = requireToken(auth.apiToken)
  }

  /**
   * Who is asking, for sharing work between concurrent calls in this process: the API base and a digest of the
   * token (never the token itself, which must not sit in keys that could be logged).
   */
  get account(): string {
    return `${this.base}#${createHash('sha256').update(this.token).digest('hex').slice(0, 16)}`
  }

  /** The client a batch uses: it backs off and retries on 429 rather than failing the events at once. */
  static forBatch(request: RequestClient, auth: QualtricsAuth): QualtricsClient {
    return new QualtricsClient(request, auth, { retriesOn429: BATCH_RETRIES_ON_429 })
  }

  whoami(): Promise<WhoAmI> {
    return this.resultOf<WhoAmI>(`${this.base}/whoami`, { method: 'GET' }, { description: 'check the API token' })
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

  async createContact(directoryId: string, contact: ContactBody): Promise<string> {
    const operation = { description: 'create the contact', notFound: `directory ${directoryId} was not found` }
    const result = await this.resultOf<{ id?: string }>(
      `${this.directoryUrl(directoryId)}/contacts`,
      { method: 'POST', json: contact },
      operation
    )
    if (typeof result.id !== 'string' || result.id === '') throw unexpectedResponse(operation, 'a contact id')
    return result.id
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
    const result = await this.resultOf<Page<ContactRecord>>(
      url,
      { method: 'POST', json: { filter: { filterType, comparison: 'eq', value } } },
      operation
    )
    const elements = result.elements
    if (!Array.isArray(elements) || elements.some((c) => typeof c?.id !== 'string')) {
      throw unexpectedResponse(operation, 'a list of contacts with ids (result.elements)')
    }
    return elements.slice(0, limit)
  }

  async createTransactions(
    directoryId: string,
    transactions: Record<string, TransactionEntry>
  ): Promise<TransactionsResult> {
    const operation = { description: 'add the transaction', notFound: transactionsNotFound(directoryId, transactions) }
    const result = await this.resultOf<TransactionsResult>(
      `${this.directoryUrl(directoryId)}/transactions`,
      { method: 'POST', json: transactions },
      operation
    )
    if (!result.createdTransactions && !result.unprocessedTransactions) {
      throw unexpectedResponse(operation, 'createdTransactions or unprocessedTransactions')
    }
    return result
  }

  /**
   * Posts a JSON Event to a workflow. `username` switches to Qualtrics' Basic form (username:token); otherwise the
   * token goes in X-API-TOKEN. The URL is checked before anything is built, and the body size before it is sent.
   */
  async triggerWorkflow(workflowUrl: string, payload: unknown, username?: string): Promise<unknown> {
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
      headers.authorization = `Basic ${Buffer.from(`${username}:${this.token}`).toString('base64')}`
    }
    const response = await this.send(
      url,
      { method: 'POST', body, headers },
      {
        description: 'start the workflow',
        notFound: 'the workflow URL was not found (is the JSON Event still active?)'
      },
      username === undefined
    )
    return response.data ?? {}
  }

  private directoryUrl(directoryId: string): string {
    if (typeof directoryId !== 'string' || directoryId.trim() === '') {
      throw new PayloadValidationError('Directory ID is missing: choose the XM Directory (POOL_…) to write to.')
    }
    return `${this.base}/directories/${encodeURIComponent(directoryId.trim())}`
  }

  /** Follows `result.nextPage` to the end, refusing pages that point off the API host (the token goes with them). */
  private async listAll<T>(firstUrl: string, operation: Operation): Promise<T[]> {
    const items: T[] = []
    const origin = new URL(this.base).origin
    let url: string | null | undefined = firstUrl
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw unexpectedResponse(operation, `an end to paging after ${MAX_PAGES} pages`)
      const result: Page<T> = await this.resultOf<Page<T>>(url, { method: 'GET' }, operation)
      if (!Array.isArray(result.elements)) throw unexpectedResponse(operation, 'a list (result.elements)')
      items.push(...result.elements)
      url = result.nextPage
      if (url && !String(url).startsWith(`${origin}/`)) {
        throw unexpectedResponse(operation, `a next page on ${origin} (it pointed elsewhere and was not followed)`)
      }
    }
    return items
  }

  private async resultOf<T>(url: string, options: SendOptions, operation: Operation): Promise<T> {
    const response = await this.send(url, options, operation, true)
    const result = (response.data as Envelope<T> | undefined)?.result
    if (result === undefined || result === null || typeof result !== 'object') {
      throw unexpectedResponse(operation, 'a result')
    }
    return result
  }

  private async send(
    url: string,
    options: SendOptions,
    operation: Operation,
    tokenHeader: boolean
  ): Promise<ModifiedResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (tokenHeader) headers['x-api-token'] = this.token
    let response: ModifiedResponse
    for (let attempt = 0; ; attempt++) {
      const record: SentRequest = { method: options.method, url: redactSecret(url, this.token), status: 'no response' }
      this.sent.push(record)
      try {
        response = await this.request(url, {
          method: options.method,
          json: options.json,
          body: options.body,
          headers,
          timeout: this.timeoutMs,
          throwHttpErrors: false,
          // A redirect could carry the token to another host: never follow one.
          redirect: 'manual'
        })
      } catch (error) {
        throw redactSecret(noResponseError(error, operation, this.timeoutMs), this.token)
      }
      record.status = response.status
      if (response.status !== 429 || attempt >= this.retriesOn429) break
      await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, response.headers.get('retry-after'))))
    }
    if (response.status < 200 || response.status >= 300) {
      throw redactSecret(qualtricsError(response.status, response.data, operation), this.token)
    }
    return response
  }
}
