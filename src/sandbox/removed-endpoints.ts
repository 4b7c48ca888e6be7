import { ApiError } from './errors'

/**
 * Endpoints Qualtrics removed on 30 June 2026 (research notes §16: university IT notices relaying Qualtrics'
 * migration guide; B-Jones-RFD/qualtrics-api-tasks v1.1.0). They answer 404 in every profile, whatever the token,
 * with what replaces them. Paths are under /API/v3; `*` is one segment, and a path matches its prefix too.
 */
const REMOVED: { pattern: string[]; what: string }[] = [
  {
    pattern: ['directories', '*', 'mailinglists', '*', 'transactioncontacts', '*', 'summary'],
    what: 'Get Transaction Contacts Import Summary: read the import status (GET …/transactioncontacts/{importId}), which lists invalidEmails'
  },
  {
    pattern: ['mailinglists'],
    what: 'the Research Core contacts calls (/mailinglists, their contacts, imports and samples): use the XM Directory calls under /directories/{directoryId}'
  },
  { pattern: ['directories', '*', 'frequencyrules'], what: 'contact frequency rules (no replacement)' },
  { pattern: ['directories', '*', 'samples'], what: 'samples and sample definitions' },
  { pattern: ['directories', '*', 'segments', '*', 'contacts'], what: 'segment memberships' }
]

/** The 404 for a removed endpoint, or undefined when `parts` (the path's segments, decoded) name none. */
export function removedEndpoint(parts: string[]): ApiError | undefined {
  if (parts[0]?.toLowerCase() !== 'api' || parts[1]?.toLowerCase() !== 'v3') return undefined
  const rest = parts.slice(2).map((part) => part.toLowerCase())
  const removed = REMOVED.find(
    ({ pattern }) =>
      rest.length >= pattern.length && pattern.every((segment, i) => segment === '*' || segment === rest[i])
  )
  if (!removed) return undefined
  return new ApiError(
    404,
    'SANDBOX_ENDPOINT_REMOVED',
    `Qualtrics removed this endpoint on 30 June 2026: ${removed.what}.`
  )
}
