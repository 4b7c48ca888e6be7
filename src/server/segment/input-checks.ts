import { BadRequest, isPlainObject } from '../http/body'
import type { AnyDefinition } from '../context'

/** Objects and arrays nested deeper than this are refused before mapping (mapping-kit recurses without a bound). */
export const MAX_NESTING = 64

/** Where a key path is shown in an error: `where.a.b[0].c`, each key cut short. */
function step(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.slice(0, 40))}]`
}

/** The path of the first object or array that sits deeper than `limit` levels, walked without recursion. */
export function tooDeepAt(value: unknown, where: string, limit = MAX_NESTING): string | undefined {
  const stack: Array<{ node: unknown; depth: number; path: string }> = [{ node: value, depth: 1, path: where }]
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop()!
    if (typeof node !== 'object' || node === null) continue
    if (depth > limit) return path
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? [...node.entries()] : Object.entries(node)
    for (const [key, child] of entries) stack.push({ node: child, depth: depth + 1, path: step(path, key) })
  }
  return undefined
}

/** Why a value nested past MAX_NESTING cannot be delivered, saying where; undefined when it is not. */
export function nestingRefusal(value: unknown, where: string): string | undefined {
  const at = tooDeepAt(value, where)
  if (at === undefined) return undefined
  const shown = at.length > 300 ? `${at.slice(0, 300)}…` : at
  return `${where} nests objects or arrays more than ${MAX_NESTING} levels deep (at ${shown}): flatten it.`
}

/** Refuses (400) a value nested past MAX_NESTING, saying where. */
export function checkNesting(value: unknown, where: string): void {
  const refusal = nestingRefusal(value, where)
  if (refusal !== undefined) throw new BadRequest(400, refusal)
}

/** Refuses (400) a payload that is not an object: an action runs on a Segment event, which is one. */
export function checkIsEvent(value: unknown, where: string): void {
  if (isPlainObject(value)) return
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
  throw new BadRequest(400, `${where} is ${kind}, not an object: give a Segment event ({"type": …, …}).`)
}

/** Mapping keys actions-core reads besides the fields: hooks, and the sync mode and matching key when declared. */
function extraMappingKeys(action: AnyDefinition['actions'][string]): string[] {
  return [
    ...Object.keys(action.hooks ?? {}),
    ...(action.syncMode ? ['__segment_internal_sync_mode'] : []),
    '__segment_internal_matching_key'
  ]
}

/** Refuses (400) a mapping key the action has no field for, naming it and listing the fields. */
export function checkMappingKeys(definition: AnyDefinition, slug: string, mapping: Record<string, unknown>): void {
  const action = definition.actions[slug]
  const known = new Set([...Object.keys(action.fields), ...extraMappingKeys(action)])
  const unknown = Object.keys(mapping).filter((key) => !known.has(key))
  if (unknown.length === 0) return
  throw new BadRequest(
    400,
    `"mapping" has ${unknown.length === 1 ? 'a key' : 'keys'} ${unknown.map((k) => JSON.stringify(k.slice(0, 60))).join(', ')} ` +
      `that ${slug} has no field for. Its fields: ${Object.keys(action.fields).join(', ')}.`
  )
}
