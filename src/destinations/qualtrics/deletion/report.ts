/** What a deletion did, and the words that describe it: in the result, and in the error when it stopped part way. */

/**
 * One directory's contacts with the user's extRef: those deleted, those left to the erasure request (which removes
 * them with their survey responses when it runs; only when one was sent), and (after a failure) those still there.
 */
export interface DirectoryDeletion {
  directoryId: string
  deleted: string[]
  leftToErasure?: string[]
  remaining?: string[]
}

/** The user's emails went to Qualtrics' erasure API. */
interface ErasureRequested {
  requested: true
  requestId?: string
  emailCount: number
  note?: string
}

/** Whether the user's emails went to Qualtrics' erasure API, and why not when they did not. */
export type ErasureOutcome = ErasureRequested | { requested: false; reason: string }

export interface DeletionResult {
  userId: string
  directoriesSearched: number
  contactsDeleted: number
  /** Set when an erasure request was sent: the contacts with an email, which it removes. */
  contactsLeftToErasure?: number
  /** Only the directories where a contact with this extRef was found. */
  directories: DirectoryDeletion[]
  erasure: ErasureOutcome
  message: string
}

/** The most contact ids one message lists, so that a user with thousands of duplicates still gets a readable error. */
const MAX_IDS_SHOWN = 50

export const RESPONSES_KEPT =
  'Survey responses were kept: turn on "Erase personal data" (brand administrators only) to have Qualtrics erase them by email.'

export function erasureOff(): ErasureOutcome {
  return { requested: false, reason: `Erase personal data is off. ${RESPONSES_KEPT}` }
}

export function erasureWithoutEmail(contactsFound: number): ErasureOutcome {
  const why =
    contactsFound === 0
      ? 'no contact was found'
      : `none of the ${contactsFound} contact${contactsFound === 1 ? '' : 's'} found has an email`
  return {
    requested: false,
    reason: `Nothing was sent for erasure: ${why}, and Qualtrics erases personal data by email only.`
  }
}

/** "POOL_a: CID_1, CID_2; POOL_b: CID_3", cut after MAX_IDS_SHOWN ids. Ids only: never an email. */
export function describeIds(groups: Array<{ directoryId: string; ids: string[] }>): string {
  let budget = MAX_IDS_SHOWN
  const total = groups.reduce((sum, group) => sum + group.ids.length, 0)
  const parts: string[] = []
  for (const { directoryId, ids } of groups) {
    if (ids.length === 0 || budget === 0) continue
    const shown = ids.slice(0, budget)
    budget -= shown.length
    parts.push(`${directoryId}: ${shown.join(', ')}`)
  }
  const hidden = total - (MAX_IDS_SHOWN - budget)
  return `${parts.join('; ')}${hidden > 0 ? ` and ${hidden} more` : ''}`
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

const idsOf = (directories: DirectoryDeletion[], list: 'deleted' | 'leftToErasure' | 'remaining') =>
  directories.map((d) => ({ directoryId: d.directoryId, ids: d[list] ?? [] }))
const countOf = (groups: Array<{ ids: string[] }>) => groups.reduce((sum, group) => sum + group.ids.length, 0)
const whereOf = (groups: Array<{ directoryId: string; ids: string[] }>) =>
  groups
    .filter((group) => group.ids.length > 0)
    .map((group) => group.directoryId)
    .join(', ')

/** The summary a successful deletion returns. */
export function summarise(
  userId: string,
  directoriesSearched: number,
  directories: DirectoryDeletion[],
  erasure: ErasureOutcome
): string {
  const searched = `in the ${plural(directoriesSearched, 'directory', 'directories')} these credentials can list`
  const deleted = idsOf(directories, 'deleted')
  const erased = idsOf(directories, 'leftToErasure')
  const [deletedCount, erasedCount] = [countOf(deleted), countOf(erased)]
  const extRef = `extRef ${JSON.stringify(userId)}`
  if (deletedCount + erasedCount === 0) return `No contact has ${extRef} ${searched}: nothing to delete.`
  const parts =
    deletedCount > 0 ? [`Deleted ${plural(deletedCount, 'contact')} with ${extRef} (${whereOf(deleted)})`] : []
  if (erasedCount > 0 && erasure.requested) {
    const request = erasure.requestId ? `request ${erasure.requestId}` : 'request'
    const removes = 'removes them with their survey responses when it runs'
    parts.push(
      deletedCount > 0
        ? `left ${plural(erasedCount, 'contact')} with an email (${whereOf(
            erased
          )}) to Qualtrics' erasure ${request}, which ${removes}`
        : `Left ${plural(erasedCount, 'contact')} with ${extRef} (${whereOf(
            erased
          )}) to Qualtrics' erasure ${request}, which finds them by email and ${removes}`
    )
  }
  return `${parts.join('; ')}${parts.length > 1 ? ';' : ','} searched ${searched}.`
}

/**
 * What a deletion that stopped part way adds to the error: what was deleted, which contacts remain, and what was left
 * to the erasure. Segment retries a retryable error from the start, which is safe: deleted contacts are no longer
 * found (the erasure request may then be sent again).
 */
export function partialFailure(directories: DirectoryDeletion[], erasure: ErasureOutcome): string {
  const deleted = idsOf(directories, 'deleted')
  const erased = idsOf(directories, 'leftToErasure')
  const parts = [
    `Deletion stopped: contacts still to delete: ${describeIds(idsOf(directories, 'remaining'))}`,
    countOf(deleted) > 0 ? `already deleted: ${describeIds(deleted)}` : 'none was deleted yet'
  ]
  if (countOf(erased) > 0) parts.push(`left to the erasure: ${describeIds(erased)}`)
  if (erasure.requested && erasure.requestId) parts.push(`erasure request ${erasure.requestId} was already sent`)
  return `${parts.join('; ')}.`
}
