import { randomBytes } from 'node:crypto'
import type { DeduplicationCriteria, DeduplicationField, SandboxSeed, SeedContact, SeedUser } from './seed'

/** A Qualtrics-shaped failure: the server turns it into `{meta: {httpStatus, requestId, error}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string
  ) {
    super(message)
  }
}

/** Qualtrics' documented embedded-data limits. */
export const EMBEDDED_NAME_LIMIT = 200
export const EMBEDDED_VALUE_LIMIT = 1024
/** Search pages past this many results are refused (Qualtrics: use a contact export instead). */
export const SEARCH_RESULT_LIMIT = 10_000

type EmbeddedValue = string | number | boolean
const TEXT_FIELDS = ['extRef', 'email', 'phone', 'firstName', 'lastName', 'language'] as const
type TextField = (typeof TEXT_FIELDS)[number]
const CONTACT_FIELDS = new Set<string>([...TEXT_FIELDS, 'unsubscribed', 'embeddedData'])
const CRITERIA_TO_FIELD: Record<DeduplicationField, TextField> = {
  externalDataReference: 'extRef',
  email: 'email',
  phone: 'phone',
  firstName: 'firstName',
  lastName: 'lastName'
}
const TRANSACTION_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

export interface StoredContact extends Omit<SeedContact, 'id' | 'embeddedData'> {
  id: string
  embeddedData: Record<string, EmbeddedValue>
  creationDate: string
  lastModifiedDate: string
}

export interface StoredTransaction {
  id: string
  key: string
  contactId: string
  mailingListId: string
  transactionDate: string
  data: Record<string, EmbeddedValue>
  createdAt: string
  /** Stored, but the response saying so was withheld (a `timeout` fault): the caller could not know. */
  responseLost?: boolean
}

export interface WorkflowRun {
  id: string
  urlTokenId: string
  auth: 'X-API-TOKEN' | 'Basic'
  userName: string
  payload: unknown
  receivedAt: string
  responseLost?: boolean
}

interface MailingList {
  mailingListId: string
  name: string
  creationDate: number
}

interface DirectoryState {
  directoryId: string
  name: string
  isDefault: boolean
  deduplicationCriteria: DeduplicationCriteria
  mailingLists: Map<string, MailingList>
  contacts: Map<string, StoredContact>
  /** Lower-cased value → ids, per searchable field: searches and deduplication stay fast at 10,000s of contacts. */
  index: Map<TextField, Map<string, Set<string>>>
  transactions: StoredTransaction[]
}

export interface ContactFilter {
  filterType: TextField
  value: string
}

const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex').slice(0, 15)}`
const now = () => new Date().toISOString()
const characters = (value: string) => [...value].length

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function badRequest(message: string, errorCode = 'SANDBOX_VALIDATION'): ApiError {
  return new ApiError(400, errorCode, message)
}

/** Checks a contact body as Qualtrics' create and update endpoints would: known fields, right types, limits. */
export function validateContactBody(body: unknown): SeedContact {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object.')
  for (const [key, value] of Object.entries(body)) {
    if (!CONTACT_FIELDS.has(key)) throw badRequest(`Unrecognized field "${key}".`)
    if ((TEXT_FIELDS as readonly string[]).includes(key) && typeof value !== 'string') {
      throw badRequest(`Field "${key}" must be a string.`)
    }
  }
  if (body.unsubscribed !== undefined && typeof body.unsubscribed !== 'boolean') {
    throw badRequest('Field "unsubscribed" must be a boolean.')
  }
  if (body.embeddedData !== undefined) {
    if (!isObject(body.embeddedData)) throw badRequest('Field "embeddedData" must be an object.')
    for (const [name, value] of Object.entries(body.embeddedData)) {
      if (characters(name) > EMBEDDED_NAME_LIMIT) {
        throw badRequest(`Embedded data name "${name.slice(0, 40)}…" is over ${EMBEDDED_NAME_LIMIT} characters.`)
      }
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw badRequest(`Embedded data "${name}" must be a string, number or boolean.`)
      }
      if (characters(String(value)) > EMBEDDED_VALUE_LIMIT) {
        throw badRequest(`Embedded data "${name}" is over ${EMBEDDED_VALUE_LIMIT} characters.`)
      }
    }
  }
  return body as SeedContact
}

function isValidTransactionDate(value: unknown): boolean {
  const match = typeof value === 'string' ? TRANSACTION_DATE.exec(value) : null
  if (!match) return false
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number)
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60
}

/** Why a transaction entry would be refused, or undefined when Qualtrics would create it. */
function transactionProblem(directory: DirectoryState, entry: unknown): string | undefined {
  if (!isObject(entry)) return 'The transaction must be an object.'
  if (typeof entry.contactId !== 'string' || !directory.contacts.has(entry.contactId)) {
    return `Contact ${String(entry.contactId)} does not exist in directory ${directory.directoryId}.`
  }
  if (typeof entry.mailingListId !== 'string' || !directory.mailingLists.has(entry.mailingListId)) {
    return `Mailing list ${String(entry.mailingListId)} does not exist in directory ${directory.directoryId}.`
  }
  if (!isValidTransactionDate(entry.transactionDate)) {
    return `transactionDate ${JSON.stringify(entry.transactionDate)} is not a date in the format YYYY-MM-DD HH:MM:SS.`
  }
  if (entry.data !== undefined) {
    if (!isObject(entry.data)) return 'data must be an object.'
    for (const [name, value] of Object.entries(entry.data)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        return `Transaction data "${name}" must be a string, number or boolean.`
      }
    }
  }
  const unknown = Object.keys(entry).find(
    (key) => !['contactId', 'mailingListId', 'transactionDate', 'data'].includes(key)
  )
  return unknown ? `Unrecognized field "${unknown}".` : undefined
}

/** Everything the sandbox holds, and the Qualtrics rules that apply to it. No HTTP here. */
export class SandboxStore {
  private readonly users = new Map<string, Required<Pick<SeedUser, 'userName' | 'userId' | 'brandId'>> & SeedUser>()
  private readonly directories = new Map<string, DirectoryState>()
  private readonly workflows = new Set<string>()
  readonly workflowRuns: WorkflowRun[] = []

  constructor(seed: SandboxSeed) {
    for (const user of seed.users) {
      this.users.set(user.token, {
        ...user,
        userId: user.userId ?? newId('UR'),
        brandId: user.brandId ?? 'sandbox-brand'
      })
    }
    for (const workflow of seed.workflows) this.workflows.add(workflow.urlTokenId)
    for (const seeded of seed.directories) {
      const created = Date.now()
      const directory: DirectoryState = {
        directoryId: seeded.directoryId,
        name: seeded.name ?? seeded.directoryId,
        isDefault: seeded.isDefault ?? false,
        deduplicationCriteria: { ...seeded.deduplicationCriteria },
        mailingLists: new Map(
          (seeded.mailingLists ?? []).map((ml) => [
            ml.mailingListId,
            { mailingListId: ml.mailingListId, name: ml.name ?? ml.mailingListId, creationDate: created }
          ])
        ),
        contacts: new Map(),
        index: new Map(TEXT_FIELDS.map((field) => [field, new Map()])),
        transactions: []
      }
      this.directories.set(directory.directoryId, directory)
      for (const { id: seededId, ...contact } of seeded.contacts ?? []) {
        // A repeated id would replace the first contact but leave its values in the search index.
        if (seededId !== undefined && directory.contacts.has(seededId)) {
          throw new Error(`Sandbox seed: contact ${seededId} appears twice in directory ${directory.directoryId}`)
        }
        this.insertContact(directory, validateContactBody(contact), seededId)
      }
    }
  }

  /** The user a token belongs to, or undefined: tokens are compared whole. */
  userFor(token: string | undefined): (SeedUser & { userId: string; brandId: string }) | undefined {
    return token ? this.users.get(token) : undefined
  }

  hasWorkflow(urlTokenId: string): boolean {
    return this.workflows.has(urlTokenId)
  }

  listDirectories() {
    return [...this.directories.values()].map((d) => ({
      directoryId: d.directoryId,
      name: d.name,
      contactCount: d.contacts.size,
      isDefault: d.isDefault,
      deduplicationCriteria: {
        email: false,
        firstName: false,
        lastName: false,
        externalDataReference: false,
        phone: false,
        ...d.deduplicationCriteria
      }
    }))
  }

  listMailingLists(directoryId: string) {
    return [...this.directory(directoryId).mailingLists.values()].map((ml) => ({
      mailingListId: ml.mailingListId,
      name: ml.name,
      ownerId: 'UR_sandbox',
      creationDate: ml.creationDate,
      lastModifiedDate: ml.creationDate,
      contactCount: 0
    }))
  }

  /**
   * Creates a contact, or, when the directory deduplicates and an existing contact matches every configured field
   * (case-insensitively), updates that contact and returns its id, as Qualtrics' identity resolution does.
   */
  createContact(directoryId: string, body: unknown): { id: string; deduplicated: boolean } {
    const directory = this.directory(directoryId)
    const fields = validateContactBody(body)
    const match = this.deduplicationMatch(directory, fields)
    if (match) {
      this.applyUpdate(directory, match, fields)
      return { id: match.id, deduplicated: true }
    }
    return { id: this.insertContact(directory, fields).id, deduplicated: false }
  }

  getContact(directoryId: string, contactId: string): StoredContact {
    const contact = this.directory(directoryId).contacts.get(contactId)
    if (!contact) throw new ApiError(404, 'SANDBOX_NOT_FOUND', `Contact ${contactId} not found.`)
    return contact
  }

  updateContact(directoryId: string, contactId: string, body: unknown): void {
    const directory = this.directory(directoryId)
    const fields = validateContactBody(body)
    this.applyUpdate(directory, this.getContact(directoryId, contactId), fields)
  }

  /** Contacts matching every filter (`eq`, case-insensitive), in creation order. */
  searchContacts(directoryId: string, filters: ContactFilter[]): StoredContact[] {
    const directory = this.directory(directoryId)
    let ids: string[] | undefined
    for (const filter of filters) {
      const matching = directory.index.get(filter.filterType)?.get(filter.value.toLowerCase()) ?? new Set<string>()
      ids = ids === undefined ? [...matching] : ids.filter((contactId) => matching.has(contactId))
    }
    const order = [...directory.contacts.keys()]
    const found = new Set(ids ?? order)
    return order.filter((contactId) => found.has(contactId)).map((contactId) => directory.contacts.get(contactId)!)
  }

  /** Validates each entry on its own: the good ones are created, the others come back unprocessed with a reason. */
  createTransactions(directoryId: string, body: unknown) {
    const directory = this.directory(directoryId)
    if (!isObject(body) || Object.keys(body).length === 0) {
      throw badRequest('The request body must be a non-empty object of transactions keyed by your own ids.')
    }
    const createdTransactions: Record<string, { id: string }> = {}
    const unprocessedTransactions: Record<string, { error: string; errorMessage: string }> = {}
    for (const [key, entry] of Object.entries(body)) {
      const problem = transactionProblem(directory, entry)
      if (problem) {
        unprocessedTransactions[key] = { error: 'INVALID_TRANSACTION', errorMessage: problem }
        continue
      }
      const valid = entry as Omit<StoredTransaction, 'id' | 'key' | 'createdAt'>
      const transaction: StoredTransaction = {
        id: newId('CTR'),
        key,
        contactId: valid.contactId,
        mailingListId: valid.mailingListId,
        transactionDate: valid.transactionDate,
        data: { ...valid.data },
        createdAt: now()
      }
      directory.transactions.push(transaction)
      createdTransactions[key] = { id: transaction.id }
    }
    return { createdTransactions, unprocessedTransactions }
  }

  recordWorkflowRun(run: Omit<WorkflowRun, 'id' | 'receivedAt'>): WorkflowRun {
    const stored = { ...run, id: newId('RUN'), receivedAt: now() }
    this.workflowRuns.push(stored)
    return stored
  }

  /** Marks the transactions and workflow runs with these ids as stored without the caller being told. */
  markResponseLost(ids: Set<string>): void {
    for (const record of [...this.workflowRuns, ...[...this.directories.values()].flatMap((d) => d.transactions)]) {
      if (ids.has(record.id)) record.responseLost = true
    }
  }

  /** Everything stored, for the inspection route (never the tokens). */
  snapshot() {
    return {
      users: [...this.users.values()].map(({ userName, userId, brandId }) => ({ userName, userId, brandId })),
      directories: [...this.directories.values()].map((d) => ({
        directoryId: d.directoryId,
        name: d.name,
        deduplicationCriteria: d.deduplicationCriteria,
        mailingLists: [...d.mailingLists.values()],
        contacts: [...d.contacts.values()],
        transactions: d.transactions
      })),
      workflows: [...this.workflows].map((urlTokenId) => ({
        urlTokenId,
        runs: this.workflowRuns.filter((run) => run.urlTokenId === urlTokenId).length
      })),
      workflowRuns: this.workflowRuns
    }
  }

  private directory(directoryId: string): DirectoryState {
    const directory = this.directories.get(directoryId)
    if (!directory) throw new ApiError(404, 'SANDBOX_NOT_FOUND', `Directory ${directoryId} not found.`)
    return directory
  }

  private deduplicationMatch(directory: DirectoryState, fields: SeedContact): StoredContact | undefined {
    const rule = Object.entries(directory.deduplicationCriteria)
      .filter(([, on]) => on)
      .map(([name]) => CRITERIA_TO_FIELD[name as DeduplicationField])
    // A rule is skipped when the incoming contact lacks one of its fields.
    if (rule.length === 0 || rule.some((field) => !fields[field])) return undefined
    return this.searchContacts(
      directory.directoryId,
      rule.map((field) => ({ filterType: field, value: fields[field] as string }))
    )[0]
  }

  private insertContact(directory: DirectoryState, fields: SeedContact, contactId = newId('CID')): StoredContact {
    const stamp = now()
    const contact: StoredContact = { id: contactId, embeddedData: {}, creationDate: stamp, lastModifiedDate: stamp }
    directory.contacts.set(contact.id, contact)
    this.applyUpdate(directory, contact, fields)
    return contact
  }

  private applyUpdate(directory: DirectoryState, contact: StoredContact, fields: SeedContact): void {
    for (const field of TEXT_FIELDS) {
      const value = fields[field]
      if (value === undefined) continue
      const index = directory.index.get(field)!
      if (contact[field] !== undefined) index.get(contact[field]!.toLowerCase())?.delete(contact.id)
      contact[field] = value
      const key = value.toLowerCase()
      if (!index.has(key)) index.set(key, new Set())
      index.get(key)!.add(contact.id)
    }
    if (fields.unsubscribed !== undefined) contact.unsubscribed = fields.unsubscribed
    if (fields.embeddedData) Object.assign(contact.embeddedData, fields.embeddedData)
    contact.lastModifiedDate = now()
  }
}
