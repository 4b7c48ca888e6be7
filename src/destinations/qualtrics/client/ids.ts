import { PayloadValidationError } from '@segment/actions-core'
import { describeType } from './errors'

/** Ids are short; a longer value is not one and is not echoed whole into a message. */
const SHOWN_CHARS = 80
/** Enough rounds of percent-decoding for any server on the way to see the same thing: `%252e` is `%2e` is `.`. */
const DECODE_ROUNDS = 3

/** The ids that go in URL paths, by the label their field has, and what to do when one is empty. */
const WHAT_TO_GIVE = {
  'Directory ID': 'choose the XM Directory (POOL_…)',
  'Mailing list ID': 'choose the mailing list (CG_…)',
  'Contact ID': 'give the contact (CID_…), or leave the field unmapped to look the contact up',
  'Import ID': 'Qualtrics named no import'
} as const
export type PathIdField = keyof typeof WHAT_TO_GIVE

const shown = (id: string) => JSON.stringify(id.length > SHOWN_CHARS ? `${id.slice(0, SHOWN_CHARS)}…` : id)

/** The text after percent-decoding it as often as it changes (a few rounds), or as it is where it does not decode. */
function decoded(id: string): string {
  let text = id
  for (let round = 0; round < DECODE_ROUNDS; round++) {
    let next: string
    try {
      next = decodeURIComponent(text)
    } catch {
      return text
    }
    if (next === text) return text
    text = next
  }
  return text
}

/** `.` or `..`, as it is or once percent-decoded (as often as it decodes): a segment that moves a URL's path. */
function isDotSegment(id: string): boolean {
  const plain = decoded(id).trim()
  return plain === '.' || plain === '..'
}

/**
 * The one rule for an id that becomes a URL path segment (a directory, mailing list, contact, import, survey…):
 * trimmed, not empty, and not `.` or `..` (nor anything that decodes to them, such as `%2e%2e`). A dot segment
 * survives `encodeURIComponent` and would move a request that carries the token to another path
 * (`/directories/..` is `/`), so such an id is refused before any request, with a final error naming `field`.
 */
export function checkPathId(value: unknown, field: PathIdField): string {
  if (value !== undefined && value !== null && typeof value !== 'string') {
    throw new PayloadValidationError(`${field} must be text, not ${describeType(value)}; nothing was sent.`)
  }
  const id = typeof value === 'string' ? value.trim() : ''
  if (id === '') throw new PayloadValidationError(`${field} is missing: ${WHAT_TO_GIVE[field]}.`)
  if (isDotSegment(id)) {
    const shownId = shown(id)
    throw new PayloadValidationError(
      `${field} ${shownId} is not a valid id: "." and ".." (also percent-encoded) would step out of their place in the request URL; nothing was sent.`
    )
  }
  return id
}

/** Whether `checkPathId` accepts the value: for ids that come in Qualtrics' answers rather than from the event. */
export function isPathId(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !isDotSegment(value.trim())
}

/** The id as one encoded URL path segment, checked by `checkPathId`: what every URL builder of the client uses. */
export function pathSegment(value: unknown, field: PathIdField): string {
  return encodeURIComponent(checkPathId(value, field))
}
