import { PayloadValidationError } from '@segment/actions-core'

/**
 * An Engage audience's external id names the directory and the mailing list it is mirrored to, as
 * `POOL_…:CG_…` (directory id, a colon, list id). Both ids are Qualtrics' own: a prefix and letters or digits, so
 * neither can contain the colon, and anything else is refused rather than guessed at.
 */
export const EXTERNAL_ID_FORMAT = 'POOL_…:CG_… (the directory ID, a colon, the mailing list ID)'

const DIRECTORY_ID = /^POOL_[A-Za-z0-9]+$/
const MAILING_LIST_ID = /^CG_[A-Za-z0-9]+$/
const EXTERNAL_ID = /^(POOL_[A-Za-z0-9]+):(CG_[A-Za-z0-9]+)$/
/** Ids are short; a longer value is not one and is not echoed whole into a message. */
const SHOWN_CHARS = 80

export interface AudienceList {
  directoryId: string
  mailingListId: string
}

const shown = (value: string) => JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value)

/** A directory id as an audience takes it (trimmed), or a payload error naming `what`. */
export function checkDirectoryId(value: unknown, what = 'Directory ID'): string {
  const id = typeof value === 'string' ? value.trim() : ''
  if (id === '') throw new PayloadValidationError(`${what} is missing: choose the XM Directory (POOL_…).`)
  if (!DIRECTORY_ID.test(id)) {
    throw new PayloadValidationError(
      `${what} ${shown(id)} is not a directory ID: it has the form POOL_ and letters or digits.`
    )
  }
  return id
}

/** A mailing list id as an audience takes it (trimmed), or a payload error naming `what`. */
export function checkMailingListId(value: unknown, what = 'Mailing list ID'): string {
  const id = typeof value === 'string' ? value.trim() : ''
  if (!MAILING_LIST_ID.test(id)) {
    throw new PayloadValidationError(
      `${what} ${shown(id)} is not a mailing list ID: it has the form CG_ and letters or digits.`
    )
  }
  return id
}

export function formatExternalId({ directoryId, mailingListId }: AudienceList): string {
  return `${checkDirectoryId(directoryId)}:${checkMailingListId(mailingListId)}`
}

/** The directory and list an external id names; anything not in the exact format is a final payload error. */
export function parseExternalId(value: unknown, what = 'External audience ID'): AudienceList {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PayloadValidationError(
      `${what} is missing: Engage sets it (context.personas.external_audience_id) once the audience is created; it has the form ${EXTERNAL_ID_FORMAT}.`
    )
  }
  const match = EXTERNAL_ID.exec(value.trim())
  if (!match) {
    throw new PayloadValidationError(
      `${what} ${shown(value)} is not one this destination made: it has the form ${EXTERNAL_ID_FORMAT}.`
    )
  }
  return { directoryId: match[1], mailingListId: match[2] }
}
