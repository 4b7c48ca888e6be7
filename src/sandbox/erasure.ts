import { randomBytes } from 'node:crypto'
import { badRequest } from './errors'
import { isObject } from './plain-object'

/** The most emails one erasure request may name: Qualtrics publishes none, so this is the sandbox's own. */
export const MAX_ERASURE_EMAILS = 100
const EMAIL_LIMIT = 254

export interface ErasureCounts {
  contacts: number
  transactions: number
  /** Mailing-list memberships of the matching contacts. */
  mailingListMemberships: number
}

export interface ErasureRequest {
  requestId: string
  emails: string[]
  searchOnly: boolean
  /** The sandbox completes a request at once; Qualtrics works through them in the background. */
  status: 'complete'
  brandId: string
  requestedBy: string
  createdAt: string
  /** What matched the emails, in every directory. */
  found: ErasureCounts
  /** What was removed: nothing for a searchOnly request. */
  removed: ErasureCounts
  /** The directories that held a matching contact. */
  directories: string[]
}

export interface ErasureAsk {
  emails: string[]
  searchOnly: boolean
}

/**
 * `{emails: [...], searchOnly?}`: a non-empty list of up to 100 email addresses, checked before anything is erased.
 * Without `searchOnly` the request erases, or (the `dryRun` reading, as public wrappers default it) only searches.
 */
export function validateErasureBody(body: unknown, searchOnlyByDefault = false): ErasureAsk {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object with "emails".')
  const unknown = Object.keys(body).find((key) => key !== 'emails' && key !== 'searchOnly')
  if (unknown !== undefined) throw badRequest(`Unrecognized field "${unknown}".`)
  const { emails, searchOnly } = body
  if (!Array.isArray(emails) || emails.length === 0) throw badRequest('"emails" must be a non-empty list of strings.')
  if (emails.length > MAX_ERASURE_EMAILS) {
    throw badRequest(`"emails" lists ${emails.length} addresses; one request takes at most ${MAX_ERASURE_EMAILS}.`)
  }
  emails.forEach((email, i) => {
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email.trim()) || email.length > EMAIL_LIMIT) {
      throw badRequest(`emails[${i}] must be an email address (a string of up to ${EMAIL_LIMIT} characters).`)
    }
  })
  if (searchOnly !== undefined && typeof searchOnly !== 'boolean') {
    throw badRequest('"searchOnly" must be true or false.')
  }
  return { emails: (emails as string[]).map((email) => email.trim()), searchOnly: searchOnly ?? searchOnlyByDefault }
}

export const newErasureRequestId = () => `OP-${randomBytes(8).toString('hex').toUpperCase().slice(0, 15)}`
