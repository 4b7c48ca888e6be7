import { badRequest } from './errors'
import { isObject } from './plain-object'
import type { DeduplicationField, SeedContact } from './seed-types'

/** Qualtrics' documented embedded-data limits. */
export const EMBEDDED_NAME_LIMIT = 200
export const EMBEDDED_VALUE_LIMIT = 1024

export type EmbeddedValue = string | number | boolean
/** The text fields of a contact: each is searchable and kept in the search index. */
export const TEXT_FIELDS = ['extRef', 'email', 'phone', 'firstName', 'lastName', 'language'] as const
export type TextField = (typeof TEXT_FIELDS)[number]
const CONTACT_FIELDS = new Set<string>([...TEXT_FIELDS, 'unsubscribed', 'embeddedData'])

/** The contact field each `deduplicationCriteria` flag names. */
export const CRITERIA_TO_FIELD: Record<DeduplicationField, TextField> = {
  externalDataReference: 'extRef',
  email: 'email',
  phone: 'phone',
  firstName: 'firstName',
  lastName: 'lastName'
}

const characters = (value: string) => [...value].length

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
