import {
  InvalidAuthenticationError,
  PayloadValidationError,
  type ModifiedResponse,
  type RequestClient
} from '@segment/actions-core'
import { createHash } from 'node:crypto'
import { apiBaseUrl } from './datacenter'
import { describeType, noResponseError, qualtricsError, unexpectedResponse, type Operation } from './errors'
import { getRequestTimeout } from './local-switches'
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
  TransactionsResult,
  WhoAmI
} from './types'
import { resolveWorkflowUrl } from './workflow-url'

/** Qualtrics' documented limit for a JSON Event body. */
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024
/** The most pages a listing follows, so that a server that never stops paging cannot hold an action forever. */
const MAX_PAGES = 200

function requireToken(apiToken: unknown): string {
  if (apiToken !== undefined && apiToken !== null && typeof apiToken !== 'string') {
    throw new InvalidAuthenticationError(`API Token must be text, not ${describeType(apiToken)}.`)
  }
  if (typeof apiToken !== 'string' || apiToken.trim() === '') {
    throw new InvalidAuthenticationError('API Token is missing: copy it from Account settings → Qualtrics IDs.')
  }
  return apiToken
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
    this.timeoutMs = options.timeoutMs ?? getRequestTimeout()
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

  /**
   * Creates or updates (through the directory's deduplication) a contact for the upsertContact action, which does
   * not need the id to go on: a 2xx without one is still a success, reported with a note instead of an error.
   */
  async writeContact(directoryId: string, contact: ContactBody): Promise<{ contactId?: string; note?: string }> {
    const contactId = await this.createContact(directoryId, contact)
    return { contactId }
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
