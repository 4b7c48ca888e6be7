import { readFileSync } from 'node:fs'
import { validateContactBody } from './contact-fields'
import { OAUTH_SCOPES } from './oauth'
import { isObject } from './plain-object'
import { parseSurveys } from './surveys'
import { DEDUPLICATION_FIELDS, MAX_DEDUPLICATION_RULES } from './seed-types'
import type { SandboxSeed, SeedClient, SeedContact, SeedDirectory, SeedUser, SeedWorkflow } from './seed-types'

/**
 * What `npm start` serves: one user (a brand administrator), one directory, one mailing list, one workflow, and one
 * OAuth client acting as the user. The directory deduplicates on the external data reference or the email (two
 * rules): a transaction that arrives before the person's identify (the userId alone, then the userId and the email)
 * still makes one contact.
 */
export const DEFAULT_SEED: SandboxSeed = {
  users: [
    {
      token: 'sandbox-token',
      userName: 'sandbox.user@example.com',
      userId: 'UR_sandbox00001',
      brandId: 'sandbox-brand',
      firstName: 'Sandbox',
      lastName: 'User',
      email: 'sandbox.user@example.com',
      brandAdmin: true
    }
  ],
  directories: [
    {
      directoryId: 'POOL_sandbox0000001',
      name: 'Sandbox directory',
      isDefault: true,
      deduplicationRules: [{ externalDataReference: true }, { email: true }],
      mailingLists: [{ mailingListId: 'CG_sandbox000001', name: 'Sandbox customers' }],
      contacts: []
    }
  ],
  workflows: [{ urlTokenId: '5a0dbe11-0000-4000-8000-000000000001', name: 'Survey completed workflow' }],
  surveys: [
    {
      surveyId: 'SV_sandboxNps0001',
      name: 'Sandbox NPS survey',
      questions: [
        { questionId: 'QID1', exportTag: 'nps_score', text: 'How likely are you to recommend us?', type: 'number' },
        { questionId: 'QID2', exportTag: 'nps_comment', text: 'Why?', type: 'text' }
      ]
    }
  ],
  clients: [
    {
      clientId: 'sandbox-client',
      clientSecret: 'sandbox-secret',
      userId: 'UR_sandbox00001',
      scopes: [
        'read:directories',
        'read:mailing_lists',
        'manage:directory_contacts',
        'manage:contact_transactions',
        'write:mailing_list_contacts',
        'manage:erasure_requests'
      ]
    }
  ]
}

class SeedError extends Error {}

function fail(where: string, problem: string): never {
  throw new SeedError(`Sandbox seed: ${where} ${problem}`)
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

function flag(value: unknown, where: string): void {
  if (value !== undefined && typeof value !== 'boolean') fail(where, 'must be true or false')
}

function contact(value: unknown, where: string): SeedContact {
  if (!isObject(value)) fail(where, 'must be an object')
  for (const key of ['id', 'extRef', 'email', 'phone', 'firstName', 'lastName', 'language'] as const) {
    text(value[key], `${where}.${key}`, false)
  }
  flag(value.unsubscribed, `${where}.unsubscribed`)
  if (value.embeddedData !== undefined && !isObject(value.embeddedData))
    fail(`${where}.embeddedData`, 'must be an object')
  // The store applies the API's own rules (known fields, embedded-data types and limits) to seeded contacts: check
  // them here so that a bad seed is refused with the entry named, not later with a bare API message.
  const fields = { ...value }
  delete fields.id
  try {
    validateContactBody(fields)
  } catch (error) {
    fail(where, `is not a valid contact: ${(error as Error).message}`)
  }
  return value as SeedContact
}

/** One merge rule: an object of known fields set true or false. */
function rule(value: unknown, where: string): void {
  if (!isObject(value)) fail(where, 'must be an object')
  for (const [field, on] of Object.entries(value)) {
    if (!(DEDUPLICATION_FIELDS as readonly string[]).includes(field) || typeof on !== 'boolean') {
      fail(`${where}.${field}`, `must be one of ${DEDUPLICATION_FIELDS.join(', ')}, true or false`)
    }
  }
}

/** `deduplicationCriteria` (one rule, the older form) or `deduplicationRules` (up to three), not both. */
function deduplication(directory: Record<string, unknown>, where: string): void {
  if (directory.deduplicationCriteria !== undefined) {
    if (directory.deduplicationRules !== undefined) {
      fail(where, 'gives both deduplicationCriteria and deduplicationRules: give one (a list of rules, or one rule)')
    }
    rule(directory.deduplicationCriteria, `${where}.deduplicationCriteria`)
  }
  const rules = list(directory.deduplicationRules, `${where}.deduplicationRules`)
  if (rules.length > MAX_DEDUPLICATION_RULES) {
    fail(
      `${where}.deduplicationRules`,
      `has ${rules.length} rules; Qualtrics allows at most ${MAX_DEDUPLICATION_RULES}`
    )
  }
  rules.forEach((entry, i) => {
    rule(entry, `${where}.deduplicationRules[${i}]`)
    if (!Object.values(entry as object).includes(true)) {
      fail(`${where}.deduplicationRules[${i}]`, 'must set at least one field true')
    }
  })
}

/** An OAuth client: its id unique, a secret, a seeded user's `userId` to act as, and known scopes. */
function client(value: unknown, where: string, userIds: Set<string>, clientIds: Set<string>): SeedClient {
  if (!isObject(value)) fail(where, 'must be an object')
  const clientId = text(value.clientId, `${where}.clientId`, true) as string
  if (clientIds.has(clientId)) fail(`${where}.clientId`, `repeats ${clientId}`)
  clientIds.add(clientId)
  text(value.clientSecret, `${where}.clientSecret`, true)
  const userId = text(value.userId, `${where}.userId`, true) as string
  if (!userIds.has(userId)) fail(`${where}.userId`, `names no seeded user (give that user "userId": "${userId}")`)
  const scopes = list(value.scopes, `${where}.scopes`)
  if (scopes.length === 0) fail(`${where}.scopes`, 'must list at least one scope')
  scopes.forEach((scope, i) => {
    if (!(OAUTH_SCOPES as readonly unknown[]).includes(scope)) {
      fail(`${where}.scopes[${i}]`, `must be one of ${OAUTH_SCOPES.join(', ')}`)
    }
  })
  const lifetime = value.tokenLifetimeSeconds
  if (lifetime !== undefined && (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 1)) {
    fail(`${where}.tokenLifetimeSeconds`, 'must be a whole number of seconds, 1 or more')
  }
  return value as unknown as SeedClient
}

/** Checks a seed's shape and says which entry is wrong; the sandbox never starts half-seeded. */
export function parseSeed(value: unknown): SandboxSeed {
  if (!isObject(value)) fail('the file', 'must hold a JSON object with users, directories and workflows')
  const tokens = new Set<string>()
  const userIds = new Set<string>()
  const users = list(value.users, 'users').map((user, i) => {
    if (!isObject(user)) fail(`users[${i}]`, 'must be an object')
    const token = text(user.token, `users[${i}].token`, true) as string
    if (tokens.has(token)) fail(`users[${i}].token`, 'repeats the token of an earlier user')
    tokens.add(token)
    text(user.userName, `users[${i}].userName`, true)
    for (const key of ['userId', 'brandId', 'firstName', 'lastName', 'email'] as const) {
      text(user[key], `users[${i}].${key}`, false)
    }
    flag(user.brandAdmin, `users[${i}].brandAdmin`)
    if (typeof user.userId === 'string') {
      // OAuth clients name the user they act as by userId, so it must name one user.
      if (userIds.has(user.userId)) fail(`users[${i}].userId`, 'repeats the userId of an earlier user')
      userIds.add(user.userId)
    }
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
    text(directory.name, `${where}.name`, false)
    flag(directory.isDefault, `${where}.isDefault`)
    deduplication(directory, where)
    const contactIds = new Set<string>()
    list(directory.contacts, `${where}.contacts`).forEach((c, j) => {
      const seeded = contact(c, `${where}.contacts[${j}]`)
      if (seeded.id === undefined) return
      if (contactIds.has(seeded.id)) fail(`${where}.contacts[${j}].id`, `repeats ${seeded.id}`)
      contactIds.add(seeded.id)
    })
    const mailingListIds = new Set<string>()
    list(directory.mailingLists, `${where}.mailingLists`).forEach((ml, j) => {
      if (!isObject(ml)) fail(`${where}.mailingLists[${j}]`, 'must be an object')
      const mlId = text(ml.mailingListId, `${where}.mailingLists[${j}].mailingListId`, true) as string
      if (mailingListIds.has(mlId)) fail(`${where}.mailingLists[${j}].mailingListId`, `repeats ${mlId}`)
      mailingListIds.add(mlId)
      text(ml.name, `${where}.mailingLists[${j}].name`, false)
      list(ml.members, `${where}.mailingLists[${j}].members`).forEach((member, k) => {
        if (typeof member !== 'string' || !contactIds.has(member)) {
          fail(`${where}.mailingLists[${j}].members[${k}]`, 'must be the id of a contact seeded in this directory')
        }
      })
    })
    return directory as unknown as SeedDirectory
  })
  const workflows = list(value.workflows, 'workflows').map((workflow, i) => {
    if (!isObject(workflow)) fail(`workflows[${i}]`, 'must be an object')
    text(workflow.urlTokenId, `workflows[${i}].urlTokenId`, true)
    text(workflow.name, `workflows[${i}].name`, false)
    return workflow as unknown as SeedWorkflow
  })
  const clientIds = new Set<string>()
  const clients = list(value.clients, 'clients').map((c, i) => client(c, `clients[${i}]`, userIds, clientIds))
  const surveys = value.surveys === undefined ? {} : { surveys: parseSurveys(value.surveys, fail) }
  return { users, directories, workflows, clients, ...surveys }
}

export function loadSeedFile(path: string): SandboxSeed {
  let raw: string
  try {
    raw = readFileSync(path, 'utf8')
  } catch (error) {
    throw new SeedError(`Sandbox seed: cannot read ${path}: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    throw new SeedError(`Sandbox seed: ${path} is not valid JSON: ${(error as Error).message}`)
  }
  return parseSeed(parsed)
}
