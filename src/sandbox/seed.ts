import { readFileSync } from 'node:fs'

/** The five fields Qualtrics' `deduplicationCriteria` reports; the true ones form the directory's merge rule. */
export const DEDUPLICATION_FIELDS = ['externalDataReference', 'email', 'phone', 'firstName', 'lastName'] as const
export type DeduplicationField = (typeof DEDUPLICATION_FIELDS)[number]
export type DeduplicationCriteria = Partial<Record<DeduplicationField, boolean>>

export interface SeedUser {
  /** The API token this user authenticates with (sandbox-only; never a real token). */
  token: string
  userName: string
  userId?: string
  brandId?: string
  firstName?: string
  lastName?: string
  email?: string
}

export interface SeedContact {
  id?: string
  extRef?: string
  email?: string
  phone?: string
  firstName?: string
  lastName?: string
  language?: string
  unsubscribed?: boolean
  embeddedData?: Record<string, string | number | boolean>
}

export interface SeedDirectory {
  directoryId: string
  name?: string
  isDefault?: boolean
  deduplicationCriteria?: DeduplicationCriteria
  mailingLists?: { mailingListId: string; name?: string }[]
  contacts?: SeedContact[]
}

export interface SeedWorkflow {
  urlTokenId: string
  name?: string
}

export interface SandboxSeed {
  users: SeedUser[]
  directories: SeedDirectory[]
  workflows: SeedWorkflow[]
}

/** What `npm start` serves: one user, one directory deduplicating on email, one mailing list, one workflow. */
export const DEFAULT_SEED: SandboxSeed = {
  users: [
    {
      token: 'sandbox-token',
      userName: 'sandbox.user@example.com',
      userId: 'UR_sandbox00001',
      brandId: 'sandbox-brand',
      firstName: 'Sandbox',
      lastName: 'User',
      email: 'sandbox.user@example.com'
    }
  ],
  directories: [
    {
      directoryId: 'POOL_sandbox0000001',
      name: 'Sandbox directory',
      isDefault: true,
      deduplicationCriteria: { email: true },
      mailingLists: [{ mailingListId: 'CG_sandbox000001', name: 'Sandbox customers' }],
      contacts: []
    }
  ],
  workflows: [{ urlTokenId: '5a0dbe11-0000-4000-8000-000000000001', name: 'Survey completed workflow' }]
}

class SeedError extends Error {}

function fail(where: string, problem: string): never {
  throw new SeedError(`Sandbox seed: ${where} ${problem}`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) fail(where, 'must be a list')
  return value
}

function text(value: unknown, where: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined
  if (typeof value !== 'string' || value.trim() === '') fail(where, 'must be a non-empty string')
  return value
}

function contact(value: unknown, where: string): SeedContact {
  if (!isObject(value)) fail(where, 'must be an object')
  for (const key of ['id', 'extRef', 'email', 'phone', 'firstName', 'lastName', 'language'] as const) {
    text(value[key], `${where}.${key}`, false)
  }
  if (value.unsubscribed !== undefined && typeof value.unsubscribed !== 'boolean') {
    fail(`${where}.unsubscribed`, 'must be true or false')
  }
  if (value.embeddedData !== undefined && !isObject(value.embeddedData))
    fail(`${where}.embeddedData`, 'must be an object')
  return value as SeedContact
}

/** Checks a seed's shape and says which entry is wrong; the sandbox never starts half-seeded. */
export function parseSeed(value: unknown): SandboxSeed {
  if (!isObject(value)) fail('the file', 'must hold a JSON object with users, directories and workflows')
  const users = list(value.users, 'users').map((user, i) => {
    if (!isObject(user)) fail(`users[${i}]`, 'must be an object')
    text(user.token, `users[${i}].token`, true)
    text(user.userName, `users[${i}].userName`, true)
    return user as unknown as SeedUser
  })
  if (users.length === 0) fail('users', 'must list at least one user (a token to authenticate with)')
  const directoryIds = new Set<string>()
  const directories = list(value.directories, 'directories').map((directory, i) => {
    const where = `directories[${i}]`
    if (!isObject(directory)) fail(where, 'must be an object')
    const id = text(directory.directoryId, `${where}.directoryId`, true) as string
    if (directoryIds.has(id)) fail(`${where}.directoryId`, `repeats ${id}`)
    directoryIds.add(id)
    if (directory.deduplicationCriteria !== undefined) {
      if (!isObject(directory.deduplicationCriteria)) fail(`${where}.deduplicationCriteria`, 'must be an object')
      for (const [field, on] of Object.entries(directory.deduplicationCriteria)) {
        if (!(DEDUPLICATION_FIELDS as readonly string[]).includes(field) || typeof on !== 'boolean') {
          fail(
            `${where}.deduplicationCriteria.${field}`,
            `must be one of ${DEDUPLICATION_FIELDS.join(', ')}, true or false`
          )
        }
      }
    }
    list(directory.mailingLists, `${where}.mailingLists`).forEach((ml, j) => {
      if (!isObject(ml)) fail(`${where}.mailingLists[${j}]`, 'must be an object')
      text(ml.mailingListId, `${where}.mailingLists[${j}].mailingListId`, true)
    })
    list(directory.contacts, `${where}.contacts`).forEach((c, j) => contact(c, `${where}.contacts[${j}]`))
    return directory as unknown as SeedDirectory
  })
  const workflows = list(value.workflows, 'workflows').map((workflow, i) => {
    if (!isObject(workflow)) fail(`workflows[${i}]`, 'must be an object')
    text(workflow.urlTokenId, `workflows[${i}].urlTokenId`, true)
    return workflow as unknown as SeedWorkflow
  })
  return { users, directories, workflows }
}

export function loadSeedFile(path: string): SandboxSeed {
  let raw: string
  try {
    raw = readFileSync(path, 'utf8')
  } catch (error) {
    throw new SeedError(`Sandbox seed: cannot read ${path}: ${(error as Error).message}`)
  }
  try {
    return parseSeed(JSON.parse(raw))
  } catch (error) {
    if (error instanceof SeedError) throw error
    throw new SeedError(`Sandbox seed: ${path} is not valid JSON: ${(error as Error).message}`)
  }
}
