import { isPathId } from './ids'
import type { ContactRecord, EmbeddedValue } from './types'

/**
 * Where Qualtrics' answers may name a contact's identifiers in two ways (research notes §16): the list call shows
 * `extRef` and `phone`, Segment's own client reads search elements as `externalDataReference` and `phoneNumber`.
 * Either is read; when both are there, the list call's name wins.
 */
const NAMES: Record<'extRef' | 'phone', [string, string]> = {
  extRef: ['extRef', 'externalDataReference'],
  phone: ['phone', 'phoneNumber']
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

function firstText(shown: Record<string, unknown>, names: string[]): string | undefined {
  for (const name of names) {
    const value = text(shown[name])
    if (value !== undefined) return value
  }
  return undefined
}

function embeddedDataOf(value: unknown): Record<string, EmbeddedValue> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const entries = Object.entries(value).filter((entry): entry is [string, EmbeddedValue] =>
    ['string', 'number', 'boolean'].includes(typeof entry[1])
  )
  return Object.fromEntries(entries)
}

/**
 * The one reader of a contact as Qualtrics shows it (a search element, a GET of one contact): its id and the fields
 * this destination reads, under the names it uses, whichever names the answer used. Undefined when it has no id
 * that could go in a URL path (ids.ts): such an element cannot be used, and the caller says so.
 */
export function readContact(shown: unknown, id?: string): ContactRecord | undefined {
  if (typeof shown !== 'object' || shown === null || Array.isArray(shown)) return undefined
  const fields = shown as Record<string, unknown>
  const contactId = id ?? fields.id
  if (!isPathId(contactId)) return undefined
  const record: ContactRecord = { id: contactId }
  const extRef = firstText(fields, NAMES.extRef)
  const phone = firstText(fields, NAMES.phone)
  const email = text(fields.email)
  const [firstName, lastName] = [text(fields.firstName), text(fields.lastName)]
  const creationDate = fields.creationDate
  const embeddedData = embeddedDataOf(fields.embeddedData)
  if (extRef !== undefined) record.extRef = extRef
  if (email !== undefined) record.email = email
  if (phone !== undefined) record.phone = phone
  if (firstName !== undefined) record.firstName = firstName
  if (lastName !== undefined) record.lastName = lastName
  if (typeof creationDate === 'string' || typeof creationDate === 'number') record.creationDate = creationDate
  if (embeddedData !== undefined) record.embeddedData = embeddedData
  return record
}
