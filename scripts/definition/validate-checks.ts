/** The building blocks of `npm run validate` (validate.ts): value kinds, mappings, FQL, described entries. */
import type { AuthenticationScheme, GlobalSetting, InputField, Preset } from '@segment/actions-core'
import validateMapping from '@segment/actions-core/mapping-kit/validate'
import { parseFql } from '@segment/destination-subscriptions'

export type FieldType = InputField['type']
export type SettingType = GlobalSetting['type']
export type AuthScheme = AuthenticationScheme<unknown>['scheme']
export type EventSlug = Extract<Preset, { type: 'specificEvent' }>['eventSlug']
export type Obj = Record<string, unknown>

// Records rather than arrays so that the compiler fails here when actions-core adds or drops a member of the union.
export const FIELD_TYPES: Record<FieldType, true> = {
  string: true,
  text: true,
  number: true,
  integer: true,
  datetime: true,
  boolean: true,
  password: true,
  object: true
}
export const SETTING_TYPES: Record<SettingType, true> = { string: true, password: true, number: true, boolean: true }
export const AUTH_SCHEMES: Record<AuthScheme, true> = { basic: true, custom: true, oauth2: true, 'oauth-managed': true }
export const EVENT_SLUGS: Record<EventSlug, true> = {
  warehouse_entity_added_track: true,
  warehouse_entity_removed_track: true,
  warehouse_audience_entered_track: true,
  warehouse_audience_exited_track: true,
  warehouse_audience_membership_changed_identify: true,
  warehouse_entity_values_changed_track: true,
  warehouse_all_events_track: true,
  journeys_step_entered_track: true
}
export const MODES = ['cloud', 'device', 'warehouse']
export const BATCH_FIELDS = ['enable_batching', 'batch_size']

export const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
export const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''
export const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
export const oneOf = (allowed: Record<string, true> | string[]) =>
  (Array.isArray(allowed) ? allowed : Object.keys(allowed)).join(', ')
/** Mapping-kit treats any object with an @-prefixed key as a directive, so the type checks below leave it alone. */
export const looksLikeDirective = (value: unknown): boolean =>
  isObj(value) && Object.keys(value).some((k) => k.startsWith('@'))

export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}

/** Mapping-kit throws one error, or an AggregateError (iterable) holding one per bad key: one message each. */
export function errorMessages(error: unknown): string[] {
  if (typeof error === 'object' && error !== null && Symbol.iterator in error) {
    return [...(error as Iterable<unknown>)].flatMap(errorMessages)
  }
  const message = error instanceof Error ? error.message : String(error)
  return [message.replace(/^\/ /, '')]
}

/** Problems mapping-kit's own validator finds in a mapping or a single mapped value (what Segment refuses to save). */
export function mappingProblems(value: unknown): string[] {
  try {
    validateMapping(value)
    return []
  } catch (error) {
    return errorMessages(error)
  }
}

export function fqlProblem(fql: unknown): string | undefined {
  if (typeof fql !== 'string') return `is ${kindOf(fql)}, not an FQL string`
  try {
    const parsed: unknown = parseFql(fql)
    if (isObj(parsed) && 'error' in parsed) {
      const error = parsed.error
      return `${quote(fql)} does not parse: ${error instanceof Error ? error.message : String(error)}`
    }
  } catch (error) {
    return `${quote(fql)} does not parse: ${error instanceof Error ? error.message : String(error)}`
  }
  return undefined
}

export function matchesType(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'text':
    case 'password':
      return typeof value === 'string'
    case 'datetime':
      // actions-core's JSON schema for datetime accepts a string or a number (epoch).
      return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return isObj(value)
    default:
      // An unknown type is reported by the field check; nothing to compare against.
      return true
  }
}

/** Why one literal (not a directive) cannot be a value of the field: type, null, choices (actions-core's enum). */
export function literalProblems(field: Obj, value: unknown): string[] {
  if (looksLikeDirective(value)) return []
  if (value === null) return field.allowNull === true ? [] : ['is null but the field does not set allowNull']
  if (!matchesType(field.type, value)) {
    return [`is ${kindOf(value)} (${quote(value)}), which a ${String(field.type)} field does not take`]
  }
  if (Array.isArray(field.choices) && field.choices.length > 0) {
    const values = field.choices.map((choice: unknown) => (isObj(choice) ? choice.value : choice))
    if (!values.includes(value)) return [`is ${quote(value)}, not one of the field's choices (${quote(values)})`]
  }
  return []
}

/** Why a literal value (default or preset mapping entry) does not fit the field; directives are left to mapping-kit. */
export function typeProblems(field: Obj, value: unknown): string[] {
  if (looksLikeDirective(value)) return []
  if (field.multiple === true) {
    if (!Array.isArray(value)) return [`is ${kindOf(value)} but the field has multiple: true, so it takes a list`]
    return value.flatMap((item, i) => literalProblems(field, item).map((problem) => `item ${i} ${problem}`))
  }
  return literalProblems(field, value)
}

/** What the CLI requires of every setting and field alike: a label, a description and a known type. */
export function describedProblems(at: string, entry: Obj, types: Record<string, true>, kind: string): string[] {
  const problems: string[] = []
  if (!nonEmpty(entry.label)) problems.push(`${at}: has no label`)
  if (!nonEmpty(entry.description)) problems.push(`${at}: has no description`)
  if (!Object.hasOwn(types, String(entry.type))) {
    problems.push(`${at}: type ${quote(entry.type)} is not a ${kind} type (${oneOf(types)})`)
  }
  return problems
}
