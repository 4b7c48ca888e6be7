import { IntegrationError, PayloadValidationError } from '@segment/actions-core'
import type { RequestClient } from '@segment/actions-core'
import type { DeletionPayload } from '@segment/actions-core/destination-kit/types'
import { answerOf, cameFromQualtrics, QualtricsClient, withAnswer } from '../client'
import type { ClientState, ContactRecord, Redactor } from '../client'
import type { Settings } from '../generated-types'
import { erasureOff, erasureWithoutEmail, partialFailure, summarise } from './report'
import type { DeletionResult, DirectoryDeletion, ErasureOutcome } from './report'

/** The settings deletion reads; `erasePersonalData` is optional, and only `true` turns erasure on. */
export type DeletionSettings = Settings & { erasePersonalData?: boolean }

interface DirectoryMatches {
  directoryId: string
  contacts: ContactRecord[]
}

/** One directory's contacts: those this deletion deletes, and those left to the erasure request. */
interface DirectoryPlan {
  directoryId: string
  toDelete: string[]
  leftToErasure: string[]
}

const ERASURE_PERMISSION =
  "Erasing personal data needs a brand administrator's API token (an OAuth client also needs the manage:erasure_requests scope); use such credentials, or turn off Erase personal data"

/** The extRef to delete: the userId as upsertContact stores it (trimmed), or a final error when there is none. */
function requireUserId(payload: DeletionPayload | undefined): string {
  const userId = payload?.userId
  const trimmed = typeof userId === 'string' ? userId.trim() : ''
  if (trimmed === '') {
    const given =
      userId === undefined || userId === null ? 'missing' : typeof userId === 'string' ? 'blank' : 'not text'
    throw new PayloadValidationError(
      `userId is ${given}: deletion finds Qualtrics contacts by extRef, which is the userId; nothing was deleted.`
    )
  }
  return trimmed
}

/**
 * Adds `addition` to a failure's message, keeping its class and status (and so whether Segment retries it), redacted
 * of the client's secrets (the ids it names come from Qualtrics' answers).
 */
function extend(error: unknown, addition: string, redactor: Redactor): unknown {
  if (!(error instanceof Error)) return error
  error.message = `${error.message.replace(/\.?$/, '.')} ${addition}`
  return redactor.error(error)
}

/** Contacts whose extRef is exactly the userId (Qualtrics' search ignores case), in every directory listed. */
async function findContacts(client: QualtricsClient, userId: string) {
  const directories = await client.listDirectories()
  const matches: DirectoryMatches[] = []
  for (const { directoryId } of directories) {
    const found = await client.searchContacts(directoryId, 'extRef', userId)
    const seen = new Set<string>()
    const contacts = found.filter((c) => c.extRef === userId && !seen.has(c.id) && seen.add(c.id))
    if (contacts.length > 0) matches.push({ directoryId, contacts })
  }
  return { directoriesSearched: directories.length, matches }
}

/** A contact's email as erasure takes it (trimmed), or undefined when it has none: erasure works by email only. */
function emailOf(contact: ContactRecord): string | undefined {
  const trimmed = typeof contact.email === 'string' ? contact.email.trim() : ''
  return trimmed === '' ? undefined : trimmed
}

/**
 * Sends the matched contacts' emails to Qualtrics' erasure API, which also removes their survey responses. Each
 * distinct spelling goes once: whether the erasure compares emails ignoring case is not documented.
 */
async function erase(client: QualtricsClient, matches: DirectoryMatches[]): Promise<ErasureOutcome> {
  const contacts = matches.flatMap((m) => m.contacts)
  const emails = [...new Set(contacts.map(emailOf).filter((email): email is string => email !== undefined))]
  if (emails.length === 0) return erasureWithoutEmail(contacts.length)
  try {
    return { requested: true, emailCount: emails.length, ...(await client.erasePersonalData(emails)) }
  } catch (error) {
    if (!cameFromQualtrics(error) || (error as { status?: number }).status !== 403) throw error
    const message = `${(error as Error).message}. ${ERASURE_PERMISSION}.`
    throw withAnswer(new IntegrationError(message, 'ERASURE_FORBIDDEN', 403), answerOf(error))
  }
}

/**
 * Who removes each contact. Qualtrics' erasure runs later and finds survey responses through the contacts, so a
 * contact deleted first could leave its responses behind: once an erasure request went out, the contacts with an
 * email are left to it (it removes them), and only those it cannot reach (no email) are deleted here.
 */
function removalPlan(matches: DirectoryMatches[], erasure: ErasureOutcome): DirectoryPlan[] {
  return matches.map(({ directoryId, contacts }) => {
    const toErasure = erasure.requested ? contacts.filter((contact) => emailOf(contact) !== undefined) : []
    return {
      directoryId,
      toDelete: contacts.filter((contact) => !toErasure.includes(contact)).map((contact) => contact.id),
      leftToErasure: toErasure.map((contact) => contact.id)
    }
  })
}

/** Deletes the plan's contacts in order, stopping at the first failure with the contacts that remain named in the error. */
async function deleteAll(
  client: QualtricsClient,
  plan: DirectoryPlan[],
  erasure: ErasureOutcome
): Promise<DirectoryDeletion[]> {
  const done: DirectoryDeletion[] = plan.map(({ directoryId, leftToErasure }) => ({
    directoryId,
    deleted: [],
    ...(erasure.requested ? { leftToErasure } : {})
  }))
  for (const [d, { directoryId, toDelete }] of plan.entries()) {
    for (const [c, id] of toDelete.entries()) {
      try {
        await client.deleteContact(directoryId, id)
      } catch (error) {
        // This contact and every later one remain; earlier directories are done.
        const report = done.map((entry, i) => ({
          ...entry,
          remaining: i < d ? [] : plan[i].toDelete.slice(i === d ? c : 0)
        }))
        throw extend(error, partialFailure(report, erasure), client.redactor)
      }
      done[d].deleted.push(id)
    }
  }
  return done
}

/**
 * Segment's user deletion: removes every contact whose extRef is the userId from every directory the credentials
 * can list. With `erasePersonalData` on, their emails go to Qualtrics' erasure first, which then removes the contacts
 * with an email (and their survey responses); the others are deleted here. Searching everything before deleting
 * anything means a failed search or erasure leaves nothing half done; a failure while deleting names the contacts
 * that remain, and Segment's retry starts over (deleted contacts are no longer found).
 */
export async function deleteUser(
  request: RequestClient,
  { payload, settings }: { payload: DeletionPayload; settings: DeletionSettings },
  state: ClientState
): Promise<DeletionResult> {
  const userId = requireUserId(payload)
  const client = new QualtricsClient(request, settings, state)
  let found: Awaited<ReturnType<typeof findContacts>>
  let erasure: ErasureOutcome
  try {
    found = await findContacts(client, userId)
    erasure = settings.erasePersonalData === true ? await erase(client, found.matches) : erasureOff()
  } catch (error) {
    throw extend(error, 'Nothing was deleted.', client.redactor)
  }
  const { directoriesSearched, matches } = found
  const directories = await deleteAll(client, removalPlan(matches, erasure), erasure)
  const count = (list: 'deleted' | 'leftToErasure') => directories.reduce((sum, d) => sum + (d[list]?.length ?? 0), 0)
  const leftToErasure = erasure.requested ? { contactsLeftToErasure: count('leftToErasure') } : {}
  const message = summarise(userId, directoriesSearched, directories, erasure)
  // Shown to Segment, and made of ids from Qualtrics' answers: redacted of the client's secrets like its errors.
  return client.redactor.value({
    userId,
    directoriesSearched,
    contactsDeleted: count('deleted'),
    ...leftToErasure,
    directories,
    erasure,
    message
  })
}
