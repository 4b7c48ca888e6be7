/**
 * `npm run docs`: writes docs/qualtrics-actions.md from the destination definition, in the shape of Segment's
 * destination pages (settings, presets, then each action with its default trigger and its fields), so the reference
 * can never say something the code does not.
 *
 *   npm run docs                  write the file
 *   npm run docs -- --check       write nothing; exit 1 when the file is not what would be written
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ActionDefinition, GlobalSetting, InputField, Preset } from '@segment/actions-core'
// The standalone build takes its plugins as values: it formats in any runtime, jest's CommonJS one included.
import { format } from 'prettier/standalone'
import * as markdownPlugin from 'prettier/plugins/markdown'
import destination from '../../src/destinations/qualtrics'

const ROOT = join(__dirname, '..', '..')
export const ACTIONS_DOC = join(ROOT, 'docs', 'qualtrics-actions.md')

// The parts of a definition the page shows, loosely typed: audience destinations and settings add their own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAction = ActionDefinition<any, any>
type Field = InputField | GlobalSetting
interface Documented {
  name: string
  slug?: string
  mode: string
  description?: string
  authentication?: { scheme: string; fields: Record<string, Field> }
  audienceFields?: Record<string, Field>
  presets?: Preset[]
  actions: Record<string, AnyAction>
  onDelete?: unknown
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
const sentence = (text: string) => (/[.!?]["')]?$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A mapping default in words: `@path` as the path, `@if` exists/else as "A, else B", objects key by key. */
export function describeMapping(value: unknown): string {
  if (Array.isArray(value)) return value.map(describeMapping).join(', ')
  if (!isRecord(value)) return code(value)
  if (typeof value['@path'] === 'string') return code(value['@path'])
  if (typeof value['@template'] === 'string') return code(value['@template'])
  const branch = value['@if']
  if (isRecord(branch)) {
    const then = describeMapping(branch.then)
    const otherwise = branch.else === undefined ? '' : `, else ${describeMapping(branch.else)}`
    const sameAsThen = JSON.stringify(branch.exists) === JSON.stringify(branch.then)
    return sameAsThen ? `${then}${otherwise}` : `${then} if ${describeMapping(branch.exists)} exists${otherwise}`
  }
  if (Object.keys(value).some((key) => key.startsWith('@'))) return code(value)
  return Object.entries(value)
    .map(([key, inner]) => `${key}: ${describeMapping(inner)}`)
    .join('; ')
}

function describeType(field: Field): string {
  const type = field.type.toUpperCase()
  const withFormat = field.format ? `${type} (${field.format})` : type
  return field.multiple ? `list of ${withFormat}` : withFormat
}

function describeConditions(conditions: { match?: string; conditions: unknown[] }): string {
  const parts = conditions.conditions.map((raw) => {
    const c = raw as { fieldKey?: string; type?: string; operator: string; value: unknown }
    const subject = c.type === 'syncMode' ? 'the sync mode' : code(c.fieldKey)
    return `${subject} ${c.operator === 'is' ? 'is' : 'is not'} ${describeMapping(c.value)}`
  })
  return parts.join(conditions.match === 'any' ? ' or ' : ' and ')
}

function describeRequired(field: Field): string {
  if (field.required === true) return 'yes'
  if (isRecord(field.required)) return `when ${describeConditions(field.required as never)}`
  return 'no'
}

/** The field's description, then what the definition says beyond it: choices, bounds, visibility. */
function describeField(field: Field): string {
  const notes = [sentence(field.description)]
  const choices = (field.choices ?? []) as Array<string | { value: unknown; label: string }>
  if (choices.length > 0) {
    const listed = choices.map((c) => (typeof c === 'string' ? code(c) : `${code(c.value)} (${c.label})`))
    notes.push(`Choices: ${listed.join(', ')}.`)
  }
  if ('dynamic' in field && field.dynamic) notes.push('Choices are loaded from your Qualtrics account.')
  if (field.minimum !== undefined || field.maximum !== undefined) {
    notes.push(`From ${field.minimum ?? 'any'} to ${field.maximum ?? 'any'}.`)
  }
  if (field.depends_on) notes.push(`Shown when ${describeConditions(field.depends_on)}.`)
  if (field.unsafe_hidden) notes.push('Hidden in the Segment app.')
  return notes.join(' ')
}

function fieldTable(fields: Record<string, Field>, first: string): string[] {
  const rows = Object.entries(fields).map(([key, field]) => {
    const columns = [
      `${field.label} (${code(key)})`,
      describeType(field),
      describeRequired(field),
      field.default === undefined ? '' : describeMapping(field.default),
      describeField(field)
    ]
    return `| ${columns.map(cell).join(' | ')} |`
  })
  return [`| ${first} | Type | Required | Default | Description |`, '| --- | --- | --- | --- | --- |', ...rows]
}

function presetRows(definition: Documented): string[] {
  return (definition.presets ?? []).map((preset) => {
    const action = definition.actions[preset.partnerAction]
    const trigger =
      'subscribe' in preset && preset.subscribe
        ? code(preset.subscribe)
        : `event ${code((preset as { eventSlug?: string }).eventSlug)}`
    const target = action ? `${action.title} (${code(preset.partnerAction)})` : code(preset.partnerAction)
    return `| ${[preset.name ?? '', trigger, target, preset.type].map(cell).join(' | ')} |`
  })
}

function actionSection(definition: Documented, key: string, action: AnyAction): string[] {
  const mode = capitalized(definition.mode)
  const batches = action.performBatch ? ' It takes events one at a time and in batches.' : ''
  const trigger = action.defaultSubscription
    ? `The default trigger is: ${code(action.defaultSubscription)}.`
    : 'It has no default trigger: choose one when you add the mapping.'
  const lines = [
    `### ${action.title}`,
    '',
    sentence(action.description),
    '',
    `${action.title} (${code(key)}) is a **${mode}** action. ${trigger}${batches}`
  ]
  if (action.hidden) lines.push('', 'This action is hidden in the Segment app.')
  const syncMode = action.syncMode
  if (syncMode) {
    const modes = syncMode.choices.map((c) => `${code(c.value)} (${c.label})`).join(', ')
    lines.push('', `Sync mode: ${sentence(syncMode.description)} Choices: ${modes}; default ${code(syncMode.default)}.`)
  }
  return [...lines, '', ...fieldTable(action.fields as Record<string, Field>, 'Field'), '']
}

/** The page as Markdown, before formatting. */
export function renderActionsDoc(definition: Documented): string {
  const actions = Object.entries(definition.actions)
  const lines = [
    `# ${definition.name} (Actions) destination`,
    '',
    '<!-- Generated by `npm run docs` from src/destinations/qualtrics: do not edit by hand. -->',
    '',
    definition.description ? sentence(definition.description) : '',
    '',
    `Slug ${code(definition.slug)}, mode ${code(definition.mode)}. Every table below is read from the definition. A default is what a new mapping starts with; \`$.…\` is a path in the Segment event.`,
    '',
    '## Destination settings',
    '',
    ...fieldTable(definition.authentication?.fields ?? {}, 'Setting'),
    ''
  ]
  if (definition.audienceFields && Object.keys(definition.audienceFields).length > 0) {
    lines.push('## Audience settings', '', ...fieldTable(definition.audienceFields, 'Setting'), '')
  }
  lines.push('## Available presets', '')
  if (definition.presets?.length) {
    lines.push('| Preset | Trigger | Action | Type |', '| --- | --- | --- | --- |', ...presetRows(definition), '')
  } else {
    lines.push('None.', '')
  }
  lines.push('## Available actions', '', 'Combine a trigger with one of these actions to build a mapping:', '')
  lines.push(...actions.map(([, action]) => `- [${action.title}](#${anchor(action.title)})`), '')
  if (definition.onDelete) lines.push('The destination also handles user deletion requests (`onDelete`).', '')
  for (const [key, action] of actions) lines.push(...actionSection(definition, key, action))
  return lines.join('\n')
}

async function formatMarkdown(markdown: string): Promise<string> {
  const options = JSON.parse(readFileSync(join(ROOT, '.prettierrc.json'), 'utf8')) as Record<string, unknown>
  return format(markdown, { ...options, parser: 'markdown', plugins: [markdownPlugin] })
}

/** What `npm run docs` writes to docs/qualtrics-actions.md. */
export async function actionsDoc(definition: object = destination): Promise<string> {
  return formatMarkdown(renderActionsDoc(definition as Documented))
}

async function main(args: string[]): Promise<void> {
  const content = await actionsDoc()
  const name = relative(process.cwd(), ACTIONS_DOC)
  if (!args.includes('--check')) {
    writeFileSync(ACTIONS_DOC, content)
    console.log(`wrote ${name}`)
    return
  }
  if (!existsSync(ACTIONS_DOC) || readFileSync(ACTIONS_DOC, 'utf8') !== content) {
    console.error(`${name} is stale: run npm run docs`)
    process.exit(1)
  }
  console.log(`${name} is up to date`)
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
