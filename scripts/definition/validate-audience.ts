/** `npm run validate`'s checks of an audience destination: per-audience settings, audience mode, sync modes. */
import { SETTING_TYPES, isObj, nonEmpty, quote, describedProblems } from './validate-checks'
import type { Obj } from './validate-checks'

const SYNC_MODES = ['add', 'update', 'upsert', 'delete', 'mirror']

/**
 * An audience destination's per-audience settings (described, setting types), its mode, and createAudience with
 * getAudience (both or neither, as actions-core requires before it calls either).
 */
export function audienceProblems(definition: Obj): string[] {
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
export function syncModeProblems(where: string, syncMode: unknown): string[] {
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
