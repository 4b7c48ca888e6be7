/**
 * `npm run validate`: the definition checks of the Segment monorepo CLI's `validate` command, for the destinations
 * in src/destinations. They catch what the type checker lets through and what Segment's platform would refuse or
 * silently ignore: fields without docs, defaults and preset mappings that are not valid mappings or do not fit their
 * field, triggers that do not parse, dynamic fields without a handler, batching fields without a batch path.
 * Prints one ✓ line per valid destination, or every problem, and exits 1 on any problem.
 */
import type { DestinationDefinition } from '@segment/actions-core'
import { destinations } from '../../src/destinations'
import { audienceProblems, syncModeProblems } from './validate-audience'
import {
  FIELD_TYPES,
  SETTING_TYPES,
  AUTH_SCHEMES,
  EVENT_SLUGS,
  MODES,
  BATCH_FIELDS,
  isObj,
  nonEmpty,
  quote,
  oneOf,
  looksLikeDirective,
  mappingProblems,
  fqlProblem,
  literalProblems,
  typeProblems,
  describedProblems
} from './validate-checks'
import type { Obj } from './validate-checks'

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
