/**
 * `npm run validate`: the definition checks of the Segment monorepo CLI's `validate` command, for the destinations
 * in src/destinations. They catch what the type checker lets through and what Segment's platform would refuse or
 * silently ignore: fields without docs, defaults and preset mappings that are not valid mappings or do not fit their
 * field, triggers that do not parse, dynamic fields without a handler, batching fields without a batch path.
 * Prints one ✓ line per valid destination, or every problem, and exits 1 on any problem.
 */
import type {
  AuthenticationScheme,
  DestinationDefinition,
  GlobalSetting,
  InputField,
  Preset
} from '@segment/actions-core'
import validateMapping from '@segment/actions-core/mapping-kit/validate'
import { parseFql } from '@segment/destination-subscriptions'
import { destinations } from '../src/destinations'

type FieldType = InputField['type']
type SettingType = GlobalSetting['type']
type AuthScheme = AuthenticationScheme<unknown>['scheme']
type EventSlug = Extract<Preset, { type: 'specificEvent' }>['eventSlug']
type Obj = Record<string, unknown>

// Records rather than arrays so that the compiler fails here when actions-core adds or drops a member of the union.
const FIELD_TYPES: Record<FieldType, true> = {
  string: true,
  text: true,
  number: true,
  integer: true,
  datetime: true,
  boolean: true,
  password: true,
  object: true
}
const SETTING_TYPES: Record<SettingType, true> = { string: true, password: true, number: true, boolean: true }
const AUTH_SCHEMES: Record<AuthScheme, true> = { basic: true, custom: true, oauth2: true, 'oauth-managed': true }
const EVENT_SLUGS: Record<EventSlug, true> = {
  warehouse_entity_added_track: true,
  warehouse_entity_removed_track: true,
  warehouse_audience_entered_track: true,
  warehouse_audience_exited_track: true,
  warehouse_audience_membership_changed_identify: true,
  warehouse_entity_values_changed_track: true,
  warehouse_all_events_track: true,
  journeys_step_entered_track: true
}
const MODES = ['cloud', 'device', 'warehouse']
const BATCH_FIELDS = ['enable_batching', 'batch_size']

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''
const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
const oneOf = (allowed: Record<string, true> | string[]) =>
  (Array.isArray(allowed) ? allowed : Object.keys(allowed)).join(', ')
/** Mapping-kit treats any object with an @-prefixed key as a directive, so the type checks below leave it alone. */
const looksLikeDirective = (value: unknown): boolean =>
  isObj(value) && Object.keys(value).some((k) => k.startsWith('@'))

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}

/** Mapping-kit throws one error, or an AggregateError (iterable) holding one per bad key: one message each. */
function errorMessages(error: unknown): string[] {
  if (typeof error === 'object' && error !== null && Symbol.iterator in error) {
    return [...(error as Iterable<unknown>)].flatMap(errorMessages)
  }
  const message = error instanceof Error ? error.message : String(error)
  return [message.replace(/^\/ /, '')]
}

/** Problems mapping-kit's own validator finds in a mapping or a single mapped value (what Segment refuses to save). */
function mappingProblems(value: unknown): string[] {
  try {
    validateMapping(value)
    return []
  } catch (error) {
    return errorMessages(error)
  }
}

function fqlProblem(fql: unknown): string | undefined {
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

function matchesType(type: unknown, value: unknown): boolean {
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
function literalProblems(field: Obj, value: unknown): string[] {
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
function typeProblems(field: Obj, value: unknown): string[] {
  if (looksLikeDirective(value)) return []
  if (field.multiple === true) {
    if (!Array.isArray(value)) return [`is ${kindOf(value)} but the field has multiple: true, so it takes a list`]
    return value.flatMap((item, i) => literalProblems(field, item).map((problem) => `item ${i} ${problem}`))
  }
  return literalProblems(field, value)
}

/** What the CLI requires of every setting and field alike: a label, a description and a known type. */
function describedProblems(at: string, entry: Obj, types: Record<string, true>, kind: string): string[] {
  const problems: string[] = []
  if (!nonEmpty(entry.label)) problems.push(`${at}: has no label`)
  if (!nonEmpty(entry.description)) problems.push(`${at}: has no description`)
  if (!Object.hasOwn(types, String(entry.type))) {
    problems.push(`${at}: type ${quote(entry.type)} is not a ${kind} type (${oneOf(types)})`)
  }
  return problems
}

function settingProblems(definition: Obj): string[] {
  const problems: string[] = []
  const auth = definition.authentication
  if (auth === undefined) return problems
  if (!isObj(auth)) return ['authentication: is not an object']
  if (!Object.hasOwn(AUTH_SCHEMES, String(auth.scheme))) {
    problems.push(`authentication.scheme: ${quote(auth.scheme)} is not one of ${oneOf(AUTH_SCHEMES)}`)
  }
  if (!isObj(auth.fields)) return [...problems, 'authentication.fields: is not an object']
  for (const [key, setting] of Object.entries(auth.fields)) {
    const where = `authentication.fields.${key}`
    if (!isObj(setting)) {
      problems.push(`${where}: is not an object`)
      continue
    }
    problems.push(...describedProblems(where, setting, SETTING_TYPES, 'setting'))
    if (setting.default !== undefined) {
      // Settings are plain values the customer types in: no mapping directives.
      const found = looksLikeDirective(setting.default)
        ? ['is a mapping directive, which a setting cannot take']
        : literalProblems(setting, setting.default)
      problems.push(...found.map((problem) => `${where}.default: ${problem}`))
    }
  }
  return problems
}

const SYNC_MODES = ['add', 'update', 'upsert', 'delete', 'mirror']

/**
 * An audience destination's per-audience settings (described, setting types), its mode, and createAudience with
 * getAudience (both or neither, as actions-core requires before it calls either).
 */
function audienceProblems(definition: Obj): string[] {
  const problems: string[] = []
  if (definition.audienceFields !== undefined) {
    if (!isObj(definition.audienceFields)) return ['audienceFields: is not an object']
    for (const [key, setting] of Object.entries(definition.audienceFields)) {
      if (!isObj(setting)) problems.push(`audienceFields.${key}: is not an object`)
      else problems.push(...describedProblems(`audienceFields.${key}`, setting, SETTING_TYPES, 'setting'))
    }
  }
  const config = definition.audienceConfig
  if (config === undefined) return problems
  if (!isObj(config)) return [...problems, 'audienceConfig: is not an object']
  const mode = isObj(config.mode) ? config.mode : {}
  if (mode.type !== 'realtime' && !(mode.type === 'synced' && typeof mode.full_audience_sync === 'boolean')) {
    problems.push(
      `audienceConfig.mode: ${quote(config.mode)} is not {type: 'realtime'} or {type: 'synced', full_audience_sync}`
    )
  }
  if ((typeof config.createAudience === 'function') !== (typeof config.getAudience === 'function')) {
    problems.push('audienceConfig: has one of createAudience and getAudience; actions-core needs both or neither')
  }
  return problems
}

/** An action-level syncMode: described, its choices sync modes, its default one of them. */
function syncModeProblems(where: string, syncMode: unknown): string[] {
  if (syncMode === undefined) return []
  if (!isObj(syncMode)) return [`${where}.syncMode: is not an object`]
  const problems: string[] = []
  if (!nonEmpty(syncMode.label)) problems.push(`${where}.syncMode: has no label`)
  if (!nonEmpty(syncMode.description)) problems.push(`${where}.syncMode: has no description`)
  const values = Array.isArray(syncMode.choices) ? syncMode.choices.map((c: unknown) => (isObj(c) ? c.value : c)) : []
  const unknown = values.filter((value) => !SYNC_MODES.includes(String(value)))
  if (values.length === 0) problems.push(`${where}.syncMode.choices: none given`)
  if (unknown.length > 0)
    problems.push(`${where}.syncMode.choices: ${quote(unknown)} not among ${SYNC_MODES.join(', ')}`)
  if (!values.includes(syncMode.default)) {
    problems.push(`${where}.syncMode.default: ${quote(syncMode.default)} is not one of its choices`)
  }
  return problems
}

function fieldProblems(where: string, key: string, field: unknown): string[] {
  const at = `${where}.fields.${key}`
  if (!isObj(field)) return [`${at}: is not an object`]
  const problems = describedProblems(at, field, FIELD_TYPES, 'field')
  if (field.default !== undefined) {
    const mapping = mappingProblems(field.default)
    const found = mapping.length > 0 ? mapping : typeProblems(field, field.default)
    problems.push(...found.map((problem) => `${at}.default: ${problem}`))
  }
  if (isObj(field.properties)) {
    for (const [name, property] of Object.entries(field.properties)) {
      if (!isObj(property)) problems.push(`${at}.properties.${name}: is not an object`)
      else if (!Object.hasOwn(FIELD_TYPES, String(property.type))) {
        problems.push(`${at}.properties.${name}: type ${quote(property.type)} is not a field type`)
      }
    }
  }
  return problems
}

const isHandler = (value: unknown): boolean =>
  typeof value === 'function' ||
  // An object field may have one handler per property (plus __keys__ / __values__).
  (isObj(value) && Object.keys(value).length > 0 && Object.values(value).every((fn) => typeof fn === 'function'))

function dynamicFieldProblems(where: string, fields: Obj, dynamicFields: unknown): string[] {
  if (dynamicFields !== undefined && !isObj(dynamicFields)) return [`${where}.dynamicFields: is not an object`]
  const handlers = dynamicFields ?? {}
  const problems: string[] = []
  for (const [key, field] of Object.entries(fields)) {
    if (isObj(field) && field.dynamic === true && !isHandler(handlers[key])) {
      problems.push(`${where}.fields.${key}: has dynamic: true but dynamicFields.${key} is not a handler function`)
    }
  }
  for (const [key, handler] of Object.entries(handlers)) {
    const field = fields[key]
    if (!isObj(field)) {
      problems.push(`${where}.dynamicFields.${key}: names no field of this action`)
      continue
    }
    if (!isHandler(handler)) problems.push(`${where}.dynamicFields.${key}: is not a function`)
    const propertyDynamic =
      isObj(field.properties) && Object.values(field.properties).some((p) => isObj(p) && p.dynamic === true)
    if (field.dynamic !== true && !propertyDynamic) {
      problems.push(`${where}.dynamicFields.${key}: the field is not dynamic: true, so Segment never calls it`)
    }
  }
  return problems
}

function batchingProblems(where: string, fields: Obj, action: Obj): string[] {
  const problems: string[] = []
  const hasBatch = typeof action.performBatch === 'function'
  if (action.performBatch !== undefined && !hasBatch) problems.push(`${where}.performBatch: is not a function`)
  for (const key of BATCH_FIELDS.filter((k) => k in fields)) {
    if (!hasBatch) problems.push(`${where}.fields.${key}: a batching field on an action without performBatch`)
  }
  if (hasBatch && !('enable_batching' in fields)) {
    problems.push(`${where}.performBatch: defined, but without an enable_batching field Segment never sends batches`)
  }
  const enable = fields.enable_batching
  if (isObj(enable) && enable.type !== 'boolean') problems.push(`${where}.fields.enable_batching: is not boolean`)
  const size = fields.batch_size
  if (isObj(size) && size.type !== 'number' && size.type !== 'integer') {
    problems.push(`${where}.fields.batch_size: is not a number or integer`)
  }
  return problems
}

function actionProblems(name: string, action: unknown): string[] {
  const where = `actions.${name}`
  if (!isObj(action)) return [`${where}: is not an object`]
  const problems: string[] = []
  if (!nonEmpty(action.title)) problems.push(`${where}: has no title`)
  if (!nonEmpty(action.description)) problems.push(`${where}: has no description`)
  if (typeof action.perform !== 'function') problems.push(`${where}: has no perform function`)
  if (action.defaultSubscription !== undefined) {
    const problem = fqlProblem(action.defaultSubscription)
    if (problem) problems.push(`${where}.defaultSubscription: ${problem}`)
  }
  if (!isObj(action.fields)) return [...problems, `${where}.fields: is not an object`]
  const fields = action.fields
  for (const [key, field] of Object.entries(fields)) problems.push(...fieldProblems(where, key, field))
  problems.push(...dynamicFieldProblems(where, fields, action.dynamicFields))
  problems.push(...batchingProblems(where, fields, action))
  problems.push(...syncModeProblems(where, action.syncMode))
  return problems
}

function presetProblems(preset: unknown, index: number, actions: Obj): string[] {
  const named = isObj(preset) && nonEmpty(preset.name) ? ` (${preset.name})` : ''
  const where = `presets[${index}]${named}`
  if (!isObj(preset)) return [`${where}: is not an object`]
  const problems: string[] = []
  if (!nonEmpty(preset.name)) problems.push(`${where}: has no name`)
  if (preset.type === 'specificEvent') {
    if (!Object.hasOwn(EVENT_SLUGS, String(preset.eventSlug))) {
      problems.push(`${where}.eventSlug: ${quote(preset.eventSlug)} is not one of ${oneOf(EVENT_SLUGS)}`)
    }
  } else {
    if (preset.type !== 'automatic') {
      problems.push(`${where}.type: ${quote(preset.type)} is not 'automatic' or 'specificEvent'`)
    }
    const problem = fqlProblem(preset.subscribe)
    if (problem) problems.push(`${where}.subscribe: ${problem}`)
  }

  const mapping = preset.mapping ?? {}
  if (!isObj(mapping)) return [...problems, `${where}.mapping: is not an object`]
  problems.push(...mappingProblems(mapping).map((problem) => `${where}.mapping: ${problem}`))

  const action = typeof preset.partnerAction === 'string' ? actions[preset.partnerAction] : undefined
  if (!isObj(action)) {
    return [...problems, `${where}.partnerAction: ${quote(preset.partnerAction)} names no action of this destination`]
  }
  const fields = isObj(action.fields) ? action.fields : {}
  for (const [key, value] of Object.entries(mapping)) {
    const field = fields[key]
    if (!isObj(field)) {
      problems.push(`${where}.mapping.${key}: not a field of ${preset.partnerAction}`)
      continue
    }
    problems.push(...typeProblems(field, value).map((problem) => `${where}.mapping.${key}: ${problem}`))
  }
  // A required field with a default must be in the mapping, or the preset throws the default away. A required
  // field without a default (a directory ID, a workflow URL) is the customer's to fill in: a preset cannot know it.
  for (const [key, field] of Object.entries(fields)) {
    if (isObj(field) && field.required === true && field.default !== undefined && !(key in mapping)) {
      problems.push(`${where}.mapping: lacks ${key}, a required field of ${preset.partnerAction} that has a default`)
    }
  }
  return problems
}

/**
 * Every problem in one destination definition, each prefixed by where it is (a path into the definition, e.g.
 * `actions.upsertContact.fields.directoryId`). Empty means valid. Pure: it reads the definition and calls nothing
 * in it. Generic rather than `DestinationDefinition<unknown>`: settings appear in handler parameter types.
 */
export function validateDefinition<Settings>(definition: DestinationDefinition<Settings>): string[] {
  const def: unknown = definition
  if (!isObj(def)) return ['definition: is not an object']
  const problems: string[] = []
  if (!nonEmpty(def.name)) problems.push('name: missing')
  if (!nonEmpty(def.slug)) problems.push('slug: missing')
  if (!MODES.includes(String(def.mode))) problems.push(`mode: ${quote(def.mode)} is not one of ${oneOf(MODES)}`)
  problems.push(...settingProblems(def))
  problems.push(...audienceProblems(def))

  const actions = isObj(def.actions) ? def.actions : {}
  if (!isObj(def.actions) || Object.keys(actions).length === 0) problems.push('actions: none defined')
  for (const [name, action] of Object.entries(actions)) problems.push(...actionProblems(name, action))

  if (def.presets !== undefined && !Array.isArray(def.presets)) problems.push('presets: is not an array')
  const presets: unknown[] = Array.isArray(def.presets) ? def.presets : []
  presets.forEach((preset, i) => problems.push(...presetProblems(preset, i, actions)))
  return problems
}

/** The lines `npm run validate` prints: a ✓ summary per valid destination, else one line per problem. */
export function report<Settings>(listed: Record<string, DestinationDefinition<Settings>>): {
  valid: string[]
  problems: string[]
} {
  const valid: string[] = []
  const problems: string[] = []
  for (const [slug, definition] of Object.entries(listed)) {
    const label = nonEmpty(definition?.name) ? definition.name : slug
    const found = validateDefinition(definition)
    // The index is keyed by slug, as the monorepo's manifest is: a mismatch means lookups by slug miss it.
    if (definition?.slug !== slug) found.unshift(`slug: listed under ${quote(slug)} but is ${quote(definition?.slug)}`)
    if (found.length > 0) {
      problems.push(...found.map((problem) => `✗ ${label}: ${problem}`))
      continue
    }
    const actionCount = Object.keys(definition.actions).length
    const presetCount = definition.presets?.length ?? 0
    valid.push(`✓ ${label}: ${actionCount} actions, ${presetCount} presets valid`)
  }
  return { valid, problems }
}

if (require.main === module) {
  const { valid, problems } = report(destinations)
  valid.forEach((line) => console.log(line))
  problems.forEach((line) => console.error(line))
  if (problems.length > 0) process.exitCode = 1
}
