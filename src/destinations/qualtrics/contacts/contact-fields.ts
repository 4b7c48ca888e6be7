import { PayloadValidationError } from '@segment/actions-core'
import type { InputField } from '@segment/actions-core'
import type { ContactBody, EmbeddedValue } from '../client'

/** Qualtrics' documented embedded-data limits (Adding directory contacts). */
export const EMBEDDED_NAME_LIMIT = 200
export const EMBEDDED_VALUE_LIMIT = 1024

export const directoryId: InputField = {
  label: 'Directory ID',
  description: 'Directory id. Also known as the Pool ID. POOL_XXX',
  type: 'string',
  required: true,
  dynamic: true
}

const traitOrContextTrait = (name: string) => ({
  '@if': {
    exists: { '@path': `$.traits.${name}` },
    then: { '@path': `$.traits.${name}` },
    else: { '@path': `$.context.traits.${name}` }
  }
})

/** The contact fields as upsertContact shows them; upsertContactTransaction reuses them with its own wording. */
export const contactFields: Record<
  'extRef' | 'email' | 'phone' | 'firstName' | 'lastName' | 'language' | 'unsubscribed' | 'embeddedData',
  InputField
> = {
  extRef: {
    label: 'External Data Reference',
    description: 'The external data reference which is a unique identifier for the user',
    type: 'string',
    default: { '@path': '$.userId' }
  },
  email: {
    label: 'Email',
    description: 'Email of contact',
    type: 'string',
    default: traitOrContextTrait('email')
  },
  phone: {
    label: 'Phone number',
    description: 'Phone number of contact',
    type: 'string',
    default: traitOrContextTrait('phone')
  },
  firstName: {
    label: 'First Name',
    description: 'First name of contact',
    type: 'string',
    default: traitOrContextTrait('firstName')
  },
  lastName: {
    label: 'Last Name',
    description: 'Last name of contact',
    type: 'string',
    default: traitOrContextTrait('lastName')
  },
  language: {
    label: 'Language',
    description: 'Language code of the contact',
    type: 'string',
    default: traitOrContextTrait('language')
  },
  unsubscribed: {
    label: 'Contact is unsubscribed',
    description: 'Should the contact be unsubscribed from correspondence',
    type: 'boolean',
    default: traitOrContextTrait('unsubscribed')
  },
  embeddedData: {
    label: 'Contact embedded data',
    description:
      'Contact embedded data (properties of the contact). Strings, numbers and booleans are sent as they are; a nested object or array is sent as JSON text under its own key. Names may be up to 200 characters and values up to 1,024.',
    type: 'object',
    defaultObjectUI: 'keyvalue'
  }
}

/** The contact fields as an action's payload has them: Qualtrics' contact, with embedded data not yet flattened. */
export type ContactPayload = Omit<ContactBody, 'embeddedData'> & { embeddedData?: { [k: string]: unknown } }

function present(value: string | undefined): string | undefined {
  const trimmed = typeof value === 'string' ? value.trim() : undefined
  return trimmed ? trimmed : undefined
}

/**
 * Flattens an object into values Qualtrics stores: strings, numbers and booleans as they are, a nested object or
 * array as JSON text for its own key; null and undefined are left out (nothing to send).
 */
export function toQualtricsValues(
  values: { [k: string]: unknown } | undefined,
  fieldLabel: string,
  limits?: { name: number; value: number }
): Record<string, EmbeddedValue> | undefined {
  if (values === undefined || values === null) return undefined
  const out: Record<string, EmbeddedValue> = {}
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined || raw === null) continue
    if (typeof raw === 'number' && !Number.isFinite(raw)) {
      throw new PayloadValidationError(`${fieldLabel}: "${name.slice(0, 60)}" is not a finite number`)
    }
    const value: EmbeddedValue =
      typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? raw : JSON.stringify(raw)
    // Characters, not UTF-16 units: an emoji counts once.
    const nameLength = [...name].length
    const valueLength = [...String(value)].length
    if (limits && nameLength > limits.name) {
      const shownName = name.slice(0, 40)
      throw new PayloadValidationError(
        `${fieldLabel}: the name "${shownName}…" is ${nameLength} characters; Qualtrics allows ${limits.name}`
      )
    }
    if (limits && valueLength > limits.value) {
      const shownName = name.slice(0, 60)
      throw new PayloadValidationError(
        `${fieldLabel}: the value of "${shownName}" is ${valueLength} characters; Qualtrics allows ${limits.value}`
      )
    }
    out[name] = value
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** The contact as Qualtrics takes it: only the fields the event gave a value, never a made-up default. */
export function buildContactBody(payload: ContactPayload): ContactBody {
  const body: ContactBody = {
    extRef: present(payload.extRef),
    email: present(payload.email),
    phone: present(payload.phone),
    firstName: present(payload.firstName),
    lastName: present(payload.lastName),
    language: present(payload.language),
    unsubscribed: typeof payload.unsubscribed === 'boolean' ? payload.unsubscribed : undefined,
    embeddedData: toQualtricsValues(payload.embeddedData, 'Contact embedded data', {
      name: EMBEDDED_NAME_LIMIT,
      value: EMBEDDED_VALUE_LIMIT
    })
  }
  for (const key of Object.keys(body) as (keyof ContactBody)[]) {
    if (body[key] === undefined) delete body[key]
  }
  return body
}

/** `later` over `earlier`, field by field; embedded data merged key by key. */
export function mergeContacts(earlier: ContactBody, later: ContactBody): ContactBody {
  const merged: ContactBody = { ...earlier, ...later }
  if (earlier.embeddedData || later.embeddedData) {
    merged.embeddedData = { ...earlier.embeddedData, ...later.embeddedData }
  }
  return merged
}
