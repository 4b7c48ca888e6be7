/**
 * The public description of the destination that the monorepo commits beside each destination as `metadata.json`
 * (its `generate:metadata-payload` command): settings, audience settings, every action with every field, presets.
 * Functions are left out and every optional property is spelled, as `null` when unset, so the file's shape does not
 * depend on which properties a field happens to set. The key order is the monorepo's, since the file is compared
 * byte for byte.
 */
import type { InputField } from '@segment/actions-core'

type Loose = Record<string, unknown>
type Choice = { label: unknown; value: unknown }

/** Choices as `{label, value}` pairs (plain values become their own label); none at all is `null`. */
function choicesOf(choices: unknown): Choice[] | null {
  if (!Array.isArray(choices) || choices.length === 0) return null
  return choices.map((choice: unknown) =>
    typeof choice === 'object' && choice !== null && 'label' in choice && 'value' in choice
      ? (choice as Choice)
      : { label: String(choice), value: choice }
  )
}

/** `required` is either a condition object, kept as it is, or exactly `true`. */
const requiredOf = (required: unknown) =>
  typeof required === 'object' && required !== null ? required : required === true

/** The keys every field of the payload starts with, in the generator's order (key order is part of the bytes). */
function fieldBasics(field: Loose) {
  return {
    label: field.label,
    description: field.description,
    type: field.type,
    required: requiredOf(field.required),
    multiple: field.multiple ?? false
  }
}

function settingField(field: Loose) {
  return {
    ...fieldBasics(field),
    choices: choicesOf(field.choices),
    default: field.default ?? null,
    depends_on: field.depends_on ?? null
  }
}

function actionField(field: Loose): Loose {
  const nested = field.type === 'object' && typeof field.properties === 'object' && field.properties !== null
  return {
    ...fieldBasics(field),
    allowNull: field.allowNull ?? false,
    dynamic: typeof field.dynamic === 'function' ? true : (field.dynamic ?? false),
    default: field.default ?? null,
    choices: choicesOf(field.choices),
    placeholder: field.placeholder ?? null,
    properties: nested ? mapValues(field.properties as Record<string, Loose>, actionField) : null,
    category: field.category ?? null,
    depends_on: field.depends_on ?? null,
    readOnly: field.readOnly ?? null,
    hidden: field.unsafe_hidden ?? null,
    minimum: field.minimum ?? null,
    maximum: field.maximum ?? null,
    defaultObjectUI: field.defaultObjectUI ?? null,
    disabledInputMethods: field.disabledInputMethods ?? null,
    displayMode: field.displayMode ?? null,
    format: field.format ?? null,
    additionalProperties: field.additionalProperties ?? false
  }
}

function mapValues<T, R>(record: Record<string, T>, f: (value: T) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]))
}

/** Only declarative dynamic fields (key/value pickers) are described; a function-backed one says nothing public. */
function dynamicFieldsOf(dynamicFields: unknown): Record<string, string[]> | null {
  if (typeof dynamicFields !== 'object' || dynamicFields === null) return null
  const described = Object.entries(dynamicFields as Loose).flatMap(([key, value]) => {
    if (typeof value !== 'object' || value === null) return []
    const parts = Object.keys(value).filter((part) => part === '__keys__' || part === '__values__')
    return parts.length > 0 ? [[key, parts] as const] : []
  })
  return described.length > 0 ? Object.fromEntries(described) : null
}

function syncModeOf(syncMode: Loose | undefined) {
  if (!syncMode) return null
  return {
    default: syncMode.default,
    label: syncMode.label ?? 'Sync Mode',
    description: syncMode.description ?? '',
    choices: ((syncMode.choices ?? []) as Choice[]).map(({ value, label }) => ({ value, label }))
  }
}

function actionOf(key: string, action: Loose) {
  if (action.hooks) throw new Error(`action ${key} has hooks, which this generator does not describe yet`)
  return {
    title: action.title ?? key,
    description: action.description ?? '',
    platform: action.platform === 'web' ? 'web' : 'cloud',
    defaultSubscription: action.defaultSubscription ?? null,
    hidden: action.hidden ?? false,
    hasPerformBatch: typeof action.performBatch === 'function',
    syncMode: syncModeOf(action.syncMode as Loose | undefined),
    hooks: null,
    dynamicFields: dynamicFieldsOf(action.dynamicFields),
    fields: mapValues((action.fields ?? {}) as Record<string, Loose>, actionField)
  }
}

/** What a cloud destination definition (audience settings included) publishes. */
export interface PublishableDefinition {
  name: string
  slug?: string
  mode?: string
  description?: string
  authentication?: { scheme: string; fields: Record<string, InputField | Loose> }
  audienceFields?: Record<string, InputField | Loose>
  audienceConfig?: Loose & { mode: { type: string; full_audience_sync?: boolean } }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- actions of any payload type
  actions: Record<string, any>
  presets?: readonly unknown[]
}

function audienceConfigOf(definition: PublishableDefinition) {
  const config = definition.audienceConfig
  if (!config) return null
  const mode =
    config.mode.type === 'synced'
      ? { type: 'synced', full_audience_sync: config.mode.full_audience_sync ?? false }
      : { type: 'realtime' }
  return {
    mode,
    audienceFields: mapValues((definition.audienceFields ?? {}) as Record<string, Loose>, settingField),
    supportsAudienceFunctions: typeof config.createAudience === 'function' && typeof config.getAudience === 'function'
  }
}

/** The payload, as the object that `JSON.stringify(…, null, 2)` turns into the committed file. */
export function metadataPayload(slug: string, definition: PublishableDefinition): Loose {
  const fields = definition.authentication?.fields
  return {
    slug,
    name: definition.name,
    mode: definition.mode ?? 'cloud',
    description: definition.description,
    authentication: definition.authentication
      ? {
          scheme: definition.authentication.scheme,
          fields: mapValues((fields ?? {}) as Record<string, Loose>, settingField)
        }
      : null,
    audienceConfig: audienceConfigOf(definition),
    actions: Object.fromEntries(
      Object.entries(definition.actions).map(([key, action]) => [key, actionOf(key, action)])
    ),
    presets: ((definition.presets ?? []) as Loose[]).map((preset) => ({
      name: preset.name,
      type: preset.type,
      partnerAction: preset.partnerAction,
      subscribe: preset.subscribe,
      mapping: preset.mapping ?? {},
      eventSlug: preset.eventSlug ?? null
    }))
  }
}
