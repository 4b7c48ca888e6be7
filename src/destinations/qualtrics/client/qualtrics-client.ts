import { PayloadValidationError } from '@segment/actions-core'
import type { RequestClient } from '@segment/actions-core'
import type { AdaptiveLimit } from './adaptive-limit'
import { requireWorkflowToken } from './credentials'
import { cameFromQualtrics, missingFromAnswer, requestIdOf, transactionsNotFound } from './errors'
import type { Operation } from './errors'
import { isPathId, pathSegment } from './ids'
import { readContact } from './contact-record'
import type {
  ContactBody,
  ContactRecord,
  Directory,
  MailingList,
  QualtricsAuth,
  SearchableIdentifier,
  TransactionEntry,
  TransactionsAnswer,
  TransactionsResult,
  WhoAmI
} from './types'
import { resolveWorkflowUrl } from './workflow-url'
import { readImportStarted, readImportStatus } from './import-calls'
import type { ImportRequest, ImportStarted, ImportStatus } from './import-calls'
import type { ClientState } from './client-state'
import { QualtricsTransport } from './transport'
import type { ClientOptions } from './transport'

/** Qualtrics' largest search page (1–100): a search by one identifier value rarely needs a second. */
export const SEARCH_PAGE_SIZE = 100

/** Qualtrics' documented limit for a JSON Event body. */
export const WORKFLOW_BODY_LIMIT_BYTES = 100 * 1024

const BATCH_RETRIES_ON_429 = 3

/**
 * The one client every action, dynamic field, `testAuthentication` and `onDelete` calls: one method per Qualtrics call,
 * on the transport (requests, credentials, timeouts, paging, errors) it extends.
 */
export class QualtricsClient extends QualtricsTransport {
  /** The client a batch uses: it backs off and retries on 429 rather than failing the events at once. */
  static forBatch(
    request: RequestClient,
    auth: QualtricsAuth,
    state: ClientState,
    options: ClientOptions = {}
  ): QualtricsClient {
    return new QualtricsClient(request, auth, state, { ...options, retriesOn429: BATCH_RETRIES_ON_429 })
  }

  whoami(): Promise<WhoAmI> {
    return this.resultOf<WhoAmI>(`${this.base}/whoami`, { method: 'GET' }, this.whoamiOperation)
  }

  private get whoamiOperation(): Operation {
    const description = this.oauth ? 'check the OAuth client' : 'check the API token'
    return { endpoint: 'whoami', description }
  }

  /** Fetches a new OAuth access token now, whatever is cached (testAuthentication proves the client works today). */
  async renewAccessToken(): Promise<void> {
    await this.accessToken(this.whoamiOperation, (session) => session.fresh())
  }

  listDirectories(): Promise<Directory[]> {
    return this.listAll<Directory>(`${this.base}/directories`, {
      endpoint: 'directories.list',
      description: 'list directories'
    })
  }

  /** Async, so that a refused Directory ID rejects the promise like any other failure. */
  async listMailingLists(directoryId: string): Promise<MailingList[]> {
    return this.listAll<MailingList>(`${this.directoryUrl(directoryId)}/mailinglists`, {
      endpoint: 'mailinglists.list',
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
    return { note: this.redactor.text(missingFromAnswer(operation, 'contact id', data)) }
  }

  /**
   * Every contact Qualtrics' search answers for this identifier value, all pages (transport.ts `listAll`: by
   * `nextPage` or `skipToken`, bounded), each read under whichever field names the answer used (contact-record.ts).
   * Qualtrics compares without regard to case and answers everyone who shares an email or phone: callers keep only
   * what is the person's (contacts/identity-groups.ts `extRefsAgree`). Each id goes in later URLs (updates,
   * removals, deletions): an element without one that could be a path segment (ids.ts) makes the answer unusable.
   */
  async searchContacts(directoryId: string, filterType: SearchableIdentifier, value: string): Promise<ContactRecord[]> {
    const operation: Operation = {
      endpoint: 'contacts.search',
      description: `search the directory by ${filterType}`,
      notFound: `directory ${directoryId} was not found`
    }
    const url = `${this.directoryUrl(directoryId)}/contacts/search?pageSize=${SEARCH_PAGE_SIZE}`
    const json = { filter: { filterType, comparison: 'eq', value } }
    // Each page is the same search: the next page's URL carries the skip token, the body stays the filter.
    const elements = await this.listAll<unknown>(url, operation, { method: 'POST', json })
    const contacts = elements.map((element) => readContact(element))
    if (contacts.some((contact) => contact === undefined)) {
      throw this.unexpected(operation, 'a list of contacts with ids (result.elements[].id)', undefined)
    }
    return contacts as ContactRecord[]
  }

  /**
   * Adds transactions. A 2xx that reports neither map still means Qualtrics took the request: a retry could store
   * every transaction twice, so the answer carries a note instead of failing. The maps come back as Qualtrics sent
   * them, to be read: what the caller shows of them is redacted where it is shown (batching.ts).
   */
  async createTransactions(
    directoryId: string,
    transactions: Record<string, TransactionEntry>
  ): Promise<TransactionsAnswer> {
    const operation: Operation = {
      endpoint: 'transactions.create',
      description: 'add the transaction',
      notFound: transactionsNotFound(directoryId, transactions)
    }
    const url = `${this.directoryUrl(directoryId)}/transactions`
    const { result, data } = await this.answer<TransactionsResult>(url, operation, {
      method: 'POST',
      json: transactions
    })
    const requestId = requestIdOf(data)
    if (!result?.createdTransactions && !result?.unprocessedTransactions) {
      const missing = 'createdTransactions or unprocessedTransactions'
      return { requestId, note: this.redactor.text(missingFromAnswer(operation, missing, data)) }
    }
    return {
      createdTransactions: result.createdTransactions,
      unprocessedTransactions: result.unprocessedTransactions,
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
    const url = resolveWorkflowUrl(workflowUrl, this.state.apiOrigin)
    const body = JSON.stringify(payload ?? {})
    const size = Buffer.byteLength(body)
    if (size > WORKFLOW_BODY_LIMIT_BYTES) {
      throw new PayloadValidationError(
        `Event payload is ${size} bytes, over Qualtrics' JSON Event limit of ${WORKFLOW_BODY_LIMIT_BYTES} bytes (100 KB); nothing was sent.`
      )
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (username !== undefined) {
      const basic = Buffer.from(`${username}:${token}`).toString('base64')
      this.redactor.add(basic)
      headers.authorization = `Basic ${basic}`
    } else {
      headers['x-api-token'] = token
    }
    const response = await this.send(
      url,
      { method: 'POST', body, headers },
      {
        endpoint: 'workflow.trigger',
        description: 'start the workflow',
        notFound: 'the workflow URL was not found (is the JSON Event still active?)'
      },
      false,
      limit
    )
    // Only shown (the event's result), never read: redacted of this client's secrets.
    return this.redactor.value(response.data ?? {})
  }

  protected async postContact(directoryId: string, contact: ContactBody) {
    const operation: Operation = {
      endpoint: 'contacts.create',
      description: 'create the contact',
      notFound: `directory ${directoryId} was not found`
    }
    const url = `${this.directoryUrl(directoryId)}/contacts`
    const { result, data } = await this.answer<{ id?: unknown }>(url, operation, { method: 'POST', json: contact })
    const id = result?.id
    return { contactId: isPathId(id) ? id : undefined, data, operation }
  }

  /** Deletes one directory contact; a 404 means it is already gone, which is what the caller wanted. */
  async deleteContact(directoryId: string, contactId: string): Promise<{ alreadyGone: boolean }> {
    const operation: Operation = {
      endpoint: 'contacts.delete',
      description: `delete contact ${contactId}`,
      notFound: `contact ${contactId} was not found`
    }
    const url = `${this.directoryUrl(directoryId)}/contacts/${pathSegment(contactId, 'Contact ID')}`
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
   * without a request id is still accepted, so it comes back as a note rather than an error. `searchOnly: false` is
   * always sent: the documented body has it, and public wrappers read a missing one as a dry run.
   */
  async erasePersonalData(emails: string[]): Promise<{ requestId?: string; note?: string }> {
    const operation: Operation = { endpoint: 'erasure.create', description: 'erase personal data' }
    const url = `${this.base}/op-erase-personal-data`
    const json = { emails, searchOnly: false }
    const answer = await this.answer<{ requestId?: unknown }>(url, operation, { method: 'POST', json })
    const requestId = answer.result?.requestId
    if (typeof requestId === 'string' && requestId !== '') return { requestId }
    return {
      note: this.redactor.text(missingFromAnswer(operation, 'request id (result.requestId)', answer.data))
    }
  }

  // Transaction contacts import (import-calls.ts): a transaction batch to hold the imported transactions, the
  // import itself, and its status. The status URL is built from the ids, never taken from the answer's tracking.url.

  /** Creates an empty transaction batch (`BT_…`) dated now, as 24-hour UTC without a zone (Qualtrics refuses zones). */
  async createTransactionBatch(directoryId: string, now = new Date(this.state.clock.now())): Promise<string> {
    const operation: Operation = {
      endpoint: 'transactionbatches.create',
      description: 'create a transaction batch',
      notFound: `directory ${directoryId} was not found`
    }
    const creationDate = now.toISOString().slice(0, 19)
    const json = { transactionIds: [], creationDate }
    const url = `${this.directoryUrl(directoryId)}/transactionbatches`
    const { result, data } = await this.answer<{ id?: unknown }>(url, operation, { method: 'POST', json })
    if (typeof result?.id !== 'string' || result.id === '') throw this.unexpected(operation, 'a batch id', data)
    return result.id
  }

  /** Starts an import; an answer without an import id is final (a retry would import every record again). */
  async startImport(directoryId: string, mailingListId: string, body: ImportRequest): Promise<ImportStarted> {
    const operation: Operation = {
      endpoint: 'imports.create',
      description: 'start the contacts import',
      notFound: `directory ${directoryId} or mailing list ${mailingListId} was not found`
    }
    const url = this.importUrl(directoryId, mailingListId)
    const { data } = await this.answer<unknown>(url, operation, { method: 'POST', json: body })
    const started = readImportStarted(data, body.contacts.length)
    // The id goes in every status URL: one that is not a valid path id (see ids.ts) is as good as none.
    if (!started.importId || !isPathId(started.importId)) {
      throw this.unexpected(operation, 'an import id (result.id)', data)
    }
    const note = started.note === undefined ? {} : { note: this.redactor.text(started.note) }
    return { ...started, ...note, importId: started.importId, requestId: requestIdOf(data) }
  }

  /** One status answer, read (import-calls.ts); an answer without the documented fields comes back `unreadable`. */
  async importStatus(directoryId: string, mailingListId: string, importId: string): Promise<ImportStatus> {
    const operation: Operation = {
      endpoint: 'imports.get',
      description: 'read the import status',
      notFound: `import ${importId} was not found`
    }
    const url = `${this.importUrl(directoryId, mailingListId)}/${pathSegment(importId, 'Import ID')}`
    return readImportStatus((await this.answer<unknown>(url, operation)).data)
  }

  private importUrl(directoryId: string, mailingListId: string): string {
    return `${this.mailingListUrl(directoryId, mailingListId)}/transactioncontacts`
  }

  /** `…/directories/{dir}/mailinglists/{CG}`, both ids checked (ids.ts). */
  protected mailingListUrl(directoryId: string, mailingListId: string): string {
    const list = pathSegment(mailingListId, 'Mailing list ID')
    return `${this.directoryUrl(directoryId)}/mailinglists/${list}`
  }
}
