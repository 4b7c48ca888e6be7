import type { ContactFilter, StoredContact } from './contact-book'
import { validateContactBody } from './contact-fields'
import { newErasureRequestId } from './erasure'
import type { ErasureAsk, ErasureRequest } from './erasure'
import { notFound } from './errors'
import { PROFILES } from './readings'
import type { Readings } from './readings'
import type { MailingLists } from './mailing-lists'
import { FOUR_SCOPES, OAuthClients } from './oauth'
import { newId } from './plain-object'
import type { SandboxSeed, SeedUser } from './seed-types'
import { buildTransactions } from './transactions'
import { EventSubscriptions } from './event-subscriptions'
import { SurveyBook } from './surveys'
import { ImportJobs } from './imports'
import type { ImportDirectory } from './imports'
import { directoryFromSeed, directoryListing, directorySnapshot } from './directory'
import type { DirectoryState } from './directory'

export interface WorkflowRun {
  id: string
  urlTokenId: string
  auth: 'X-API-TOKEN' | 'Basic'
  userName: string
  payload: unknown
  receivedAt: string
  responseLost?: boolean
}

export interface StoreOptions {
  /** The sandbox clock in milliseconds (default: real time). */
  now?: () => number
  /** See `indexLagMs` on the store. */
  indexLagMs?: number
  /** How the seed is read where Qualtrics allows more than one reading (deduplication flags, OAuth clients). */
  readings?: Readings
}

export type StoredUser = SeedUser & { userId: string; brandId: string }

/** Everything the sandbox holds, and the Qualtrics rules that apply to it. No HTTP here. */
export class SandboxStore {
  /**
   * Qualtrics' read-after-write lag: for this long (sandbox clock) after its creation a contact is missing from
   * search results and a GET of it is a 404. 0 (the default) shows it at once.
   */
  indexLagMs: number
  private readonly now: () => number
  private readonly users = new Map<string, StoredUser>()
  private readonly directories = new Map<string, DirectoryState>()
  private readonly workflows = new Set<string>()
  readonly workflowRuns: WorkflowRun[] = []
  readonly erasureRequests: ErasureRequest[] = []
  /** The seeded OAuth clients and the tokens they were issued (tokens expire on the sandbox clock). */
  readonly oauth: OAuthClients
  /** Survey definitions and responses, and the event subscriptions told of completions. */
  readonly surveys: SurveyBook
  readonly eventSubscriptions = new EventSubscriptions()
  /** Transaction contacts imports and transaction batches (imports.ts), on the sandbox clock. */
  readonly imports: ImportJobs
  readonly readings: Readings

  constructor(seed: SandboxSeed, options: StoreOptions = {}) {
    this.now = options.now ?? Date.now
    this.readings = options.readings ?? PROFILES.default
    this.surveys = new SurveyBook(seed.surveys)
    this.indexLagMs = options.indexLagMs ?? 0
    const limitTo = this.readings.oauthScopes === 'fourScopeClients' ? FOUR_SCOPES : undefined
    this.oauth = new OAuthClients(seed.clients ?? [], this.now, limitTo)
    for (const user of seed.users) {
      this.users.set(user.token, {
        ...user,
        userId: user.userId ?? newId('UR'),
        brandId: user.brandId ?? 'sandbox-brand'
      })
    }
    for (const workflow of seed.workflows) this.workflows.add(workflow.urlTokenId)
    const clock = { now: this.now, indexedUpTo: () => this.indexedUpTo() }
    for (const seeded of seed.directories)
      this.directories.set(seeded.directoryId, directoryFromSeed(seeded, clock, this.readings.deduplicationFlags))
    this.imports = new ImportJobs(this.now, (directoryId) => this.importDirectory(directoryId))
  }

  /** The user a token belongs to, or undefined: tokens are compared whole. */
  userFor(token: string | undefined): StoredUser | undefined {
    return token ? this.users.get(token) : undefined
  }

  /** The user an OAuth client acts as (the seed guarantees one exists for each client). */
  userById(userId: string): StoredUser | undefined {
    return [...this.users.values()].find((user) => user.userId === userId)
  }

  hasWorkflow(urlTokenId: string): boolean {
    return this.workflows.has(urlTokenId)
  }

  listDirectories() {
    return [...this.directories.values()].map(directoryListing)
  }

  listMailingLists(directoryId: string) {
    return this.directory(directoryId).mailingLists.listing()
  }

  /** A directory's mailing lists and their members (create, get, add, remove; see mailing-lists.ts). */
  mailingLists(directoryId: string): MailingLists {
    return this.directory(directoryId).mailingLists
  }

  /** Makes an existing contact (e.g. one a bulk import created) a list member; returns its `contactLookupId`. */
  addToMailingList(directoryId: string, mailingListId: string, contactId: string): string {
    return this.mailingLists(directoryId).add(mailingListId, contactId)
  }

  /**
   * Creates a contact, or, when one of the directory's merge rules matches an existing contact, updates that contact
   * and returns its id. Deduplication sees contacts the search index does not show yet: Qualtrics documents the lag
   * for reads (GET and search) only.
   */
  createContact(directoryId: string, body: unknown): { id: string; deduplicated: boolean } {
    const fields = validateContactBody(body)
    const { contact, deduplicated } = this.directory(directoryId).contacts.create(fields, this.now())
    return { id: contact.id, deduplicated }
  }

  /** A GET through the API: a 404 while the contact is younger than the index lag. */
  getContact(directoryId: string, contactId: string) {
    const directory = this.directory(directoryId)
    const contact = directory.contacts.get(contactId, this.indexedUpTo())
    return { ...contact, mailingListMembership: directory.mailingLists.membershipOf(contactId) }
  }

  /**
   * A PUT by id works on a contact the index does not show yet: the lag is documented for reads only. Its
   * `embeddedData` merges key by key, or (the `replacesEmbeddedData` reading) replaces what the contact had.
   */
  updateContact(directoryId: string, contactId: string, body: unknown): void {
    const directory = this.directory(directoryId)
    const replace = this.readings.contactUpdate === 'replacesEmbeddedData'
    directory.contacts.update(contactId, validateContactBody(body), replace)
  }

  /**
   * Deletes a contact by id. Its transactions stay: Qualtrics does not say what becomes of them, and keeping them
   * is the cautious reading (an erasure request, below, is what removes them). Its list memberships go with it.
   */
  deleteContact(directoryId: string, contactId: string): void {
    const directory = this.directory(directoryId)
    directory.contacts.delete(contactId)
    directory.mailingLists.forget(contactId)
  }

  /** Contacts matching every filter (`eq`, case-insensitive), in creation order, without those not indexed yet. */
  searchContacts(directoryId: string, filters: ContactFilter[]): StoredContact[] {
    return this.directory(directoryId).contacts.search(filters, this.indexedUpTo())
  }

  /** Validates each entry on its own: the good ones are created, the others come back unprocessed with a reason. */
  createTransactions(directoryId: string, body: unknown) {
    const directory = this.directory(directoryId)
    const { created, response } = buildTransactions(
      {
        directoryId,
        hasContact: (contactId) => directory.contacts.has(contactId),
        hasMailingList: (mailingListId) => directory.mailingLists.has(mailingListId)
      },
      body
    )
    directory.transactions.push(...created)
    return response
  }

  /**
   * An erasure request: in every directory (the sandbox does not scope directories by brand), the contacts whose
   * email matches one given (case-insensitively, index lag or not), their transactions and list memberships. `searchOnly` counts them
   * and removes nothing. The request is recorded either way.
   */
  erase(ask: ErasureAsk, requester: StoredUser): ErasureRequest {
    const found = { contacts: 0, transactions: 0, mailingListMemberships: 0 }
    const directories: string[] = []
    for (const directory of this.directories.values()) {
      const matches = ask.emails.flatMap((value) => directory.contacts.search([{ filterType: 'email', value }]))
      const contactIds = new Set(matches.map((contact) => contact.id))
      if (contactIds.size === 0) continue
      directories.push(directory.directoryId)
      const kept = directory.transactions.filter((transaction) => !contactIds.has(transaction.contactId))
      found.contacts += contactIds.size
      found.transactions += directory.transactions.length - kept.length
      for (const contactId of contactIds)
        found.mailingListMemberships += directory.mailingLists.membershipCount(contactId)
      if (ask.searchOnly) continue
      for (const contactId of contactIds) this.deleteContact(directory.directoryId, contactId)
      directory.transactions = kept
    }
    const request: ErasureRequest = {
      requestId: newErasureRequestId(),
      emails: ask.emails,
      searchOnly: ask.searchOnly,
      status: 'complete',
      brandId: requester.brandId,
      requestedBy: requester.userId,
      createdAt: new Date().toISOString(),
      found,
      removed: ask.searchOnly ? { contacts: 0, transactions: 0, mailingListMemberships: 0 } : { ...found },
      directories
    }
    this.erasureRequests.push(request)
    return request
  }

  /** The erasure requests made in a brand, oldest first. */
  listErasureRequests(brandId: string): ErasureRequest[] {
    return this.erasureRequests.filter((request) => request.brandId === brandId)
  }

  recordWorkflowRun(run: Omit<WorkflowRun, 'id' | 'receivedAt'>): WorkflowRun {
    const stored = { ...run, id: newId('RUN'), receivedAt: new Date().toISOString() }
    this.workflowRuns.push(stored)
    return stored
  }

  /** Marks the transactions and workflow runs with these ids as stored without the caller being told. */
  markResponseLost(ids: Set<string>): void {
    for (const record of [...this.workflowRuns, ...[...this.directories.values()].flatMap((d) => d.transactions)]) {
      if (ids.has(record.id)) record.responseLost = true
    }
    this.imports.markResponseLost(ids)
  }

  /** Everything stored, for the inspection route (never the tokens); every contact, indexed yet or not. */
  snapshot() {
    return {
      users: [...this.users.values()].map(({ userName, userId, brandId, brandAdmin }) => ({
        userName,
        userId,
        brandId,
        brandAdmin: brandAdmin ?? false
      })),
      directories: [...this.directories.values()].map(directorySnapshot),
      workflows: [...this.workflows].map((urlTokenId) => ({
        urlTokenId,
        runs: this.workflowRuns.filter((run) => run.urlTokenId === urlTokenId).length
      })),
      workflowRuns: this.workflowRuns,
      erasureRequests: this.erasureRequests,
      oauthClients: this.oauth.snapshot(),
      surveys: this.surveys.snapshot(),
      eventSubscriptions: this.eventSubscriptions.all(),
      callbackDeliveries: this.eventSubscriptions.deliveries,
      ...this.imports.snapshot()
    }
  }

  /** What an import reaches in a directory (imports.ts), or undefined when there is no such directory. */
  private importDirectory(directoryId: string): ImportDirectory | undefined {
    const directory = this.directories.get(directoryId)
    if (!directory) return undefined
    return {
      contacts: directory.contacts,
      hasMailingList: (mailingListId) => directory.mailingLists.has(mailingListId),
      addTransaction: (transaction) => directory.transactions.push(transaction),
      addToMailingList: (mailingListId, contactId) => void this.addToMailingList(directoryId, mailingListId, contactId)
    }
  }

  /** The latest creation time the search index has caught up with, or undefined when there is no lag. */
  private indexedUpTo(): number | undefined {
    return this.indexLagMs > 0 ? this.now() - this.indexLagMs : undefined
  }

  private directory(directoryId: string): DirectoryState {
    const directory = this.directories.get(directoryId)
    if (!directory) throw notFound(`Directory ${directoryId} not found.`)
    return directory
  }
}
