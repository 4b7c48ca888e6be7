import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import definition from '../../../src/destinations/qualtrics'
import { report, validateDefinition } from '../../../scripts/definition/validate'

type Definition = typeof definition
type ActionName = keyof Definition['actions'] & string
type Patch = Record<string, unknown>

const ROOT = join(__dirname, '..', '..', '..')

// Broken copies are built with spreads along the changed path only: definitions hold functions (perform, dynamic
// handlers), which a JSON round trip would drop, and the original must stay untouched for the other tests. The
// casts are deliberate: the point is to build definitions the types would refuse.
const withDefinition = (patch: Patch): Definition => ({ ...definition, ...patch }) as unknown as Definition

const withAction = (name: ActionName, patch: Patch): Definition =>
  withDefinition({ actions: { ...definition.actions, [name]: { ...definition.actions[name], ...patch } } })

const withFields = (name: ActionName, fields: Patch): Definition =>
  withAction(name, { fields: { ...definition.actions[name].fields, ...fields } })

const withField = (name: ActionName, key: string, patch: Patch): Definition =>
  withFields(name, { [key]: { ...definition.actions[name].fields[key], ...patch } })

/** A copy of `record` without `key` (a rest destructure would leave an unused binding). */
const omitKey = (record: object, key: string): Patch =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key))

const withoutField = (name: ActionName, key: string): Definition =>
  withAction(name, { fields: omitKey(definition.actions[name].fields, key) })

const withSetting = (key: string, patch: Patch): Definition => {
  const auth = definition.authentication!
  return withDefinition({
    authentication: {
      ...auth,
      fields: { ...auth.fields, [key]: { ...auth.fields[key as keyof typeof auth.fields], ...patch } }
    }
  })
}

const presets = definition.presets!
const withPreset = (index: number, patch: Patch): Definition =>
  withDefinition({ presets: presets.map((preset, i) => (i === index ? { ...preset, ...patch } : preset)) })
const mappingOf = (index: number): Patch => ({ ...presets[index].mapping })

const CONTACT_PRESET = 'presets[0] (Create or update contact)'
const TRANSACTION_PRESET = 'presets[1] (Upsert contact transaction)'
const noop = async () => ({ choices: [] })

/** Runs the script as `npm run validate` does (tsx), with optional node --require preloads. */
const runScript = (...preload: string[]) =>
  spawnSync(
    process.execPath,
    [require.resolve('tsx/cli'), ...preload.flatMap((file) => ['--require', file]), 'scripts/definition/validate.ts'],
    { cwd: ROOT, encoding: 'utf8' }
  )

it('finds no problem in the real definition', () => {
  expect(validateDefinition(definition)).toEqual([])
})

/** Each row: a copy of the definition with one thing broken, and a problem the validator must report for it. */
const broken: Array<[string, () => Definition, string | RegExp]> = [
  // 1. destination and settings
  ['a destination without a name', () => withDefinition({ name: '' }), 'name: missing'],
  ['a destination without a slug', () => withDefinition({ slug: undefined }), 'slug: missing'],
  [
    'an unknown mode',
    () => withDefinition({ mode: 'server' }),
    'mode: "server" is not one of cloud, device, warehouse'
  ],
  [
    'an unknown authentication scheme',
    () => withDefinition({ authentication: { ...definition.authentication, scheme: 'apikey' } }),
    'authentication.scheme: "apikey" is not one of basic, custom, oauth2, oauth-managed'
  ],
  [
    'a setting without a label',
    () => withSetting('apiToken', { label: undefined }),
    'authentication.fields.apiToken: has no label'
  ],
  [
    'a setting with an empty description',
    () => withSetting('datacenter', { description: '  ' }),
    'authentication.fields.datacenter: has no description'
  ],
  [
    'a setting of a type settings cannot have',
    () => withSetting('datacenter', { type: 'text' }),
    'authentication.fields.datacenter: type "text" is not a setting type (string, password, number, boolean)'
  ],
  [
    'a setting default of the wrong type',
    () => withSetting('datacenter', { default: 1 }),
    'authentication.fields.datacenter.default: is a number (1), which a string field does not take'
  ],

  // 1b. audiences
  [
    'an audience setting without a description',
    () =>
      withDefinition({
        audienceFields: { ...definition.audienceFields, directoryId: { label: 'Directory ID', type: 'string' } }
      }),
    'audienceFields.directoryId: has no description'
  ],
  [
    'an audience mode that is neither realtime nor synced',
    () => withDefinition({ audienceConfig: { ...definition.audienceConfig, mode: { type: 'synced' } } }),
    /^audienceConfig\.mode: .* is not \{type: 'realtime'\}/
  ],
  [
    'createAudience without getAudience',
    () => withDefinition({ audienceConfig: { ...definition.audienceConfig, getAudience: undefined } }),
    'audienceConfig: has one of createAudience and getAudience; actions-core needs both or neither'
  ],
  [
    'a sync mode default that is not one of its choices',
    () => withAction('syncAudience', { syncMode: { ...definition.actions.syncAudience.syncMode, default: 'upsert' } }),
    'actions.syncAudience.syncMode.default: "upsert" is not one of its choices'
  ],
  [
    'a sync mode choice that is not a sync mode',
    () =>
      withAction('syncAudience', {
        syncMode: { ...definition.actions.syncAudience.syncMode, choices: [{ label: 'X', value: 'replace' }] }
      }),
    /^actions\.syncAudience\.syncMode\.choices: \["replace"\] not among/
  ],

  // 2. actions
  [
    'an action without a title',
    () => withAction('triggerXflow', { title: undefined }),
    'actions.triggerXflow: has no title'
  ],
  [
    'an action with an empty description',
    () => withAction('triggerXflow', { description: '' }),
    'actions.triggerXflow: has no description'
  ],
  [
    'an action without perform',
    () => withAction('triggerXflow', { perform: undefined }),
    'actions.triggerXflow: has no perform function'
  ],
  [
    'a defaultSubscription that does not parse',
    () => withAction('upsertContact', { defaultSubscription: 'tipe = "identify"' }),
    /^actions\.upsertContact\.defaultSubscription: "tipe = \\"identify\\"" does not parse: /
  ],

  // 3. fields
  [
    'a field without a label',
    () => withField('upsertContact', 'email', { label: undefined }),
    'actions.upsertContact.fields.email: has no label'
  ],
  [
    'a field with an empty description',
    () => withField('upsertContact', 'email', { description: '' }),
    'actions.upsertContact.fields.email: has no description'
  ],
  [
    'a field of a type actions-core does not have',
    () => withField('triggerXflow', 'username', { type: 'hidden' }),
    'actions.triggerXflow.fields.username: type "hidden" is not a field type ' +
      '(string, text, number, integer, datetime, boolean, password, object)'
  ],

  // 4. dynamic fields
  [
    'a dynamic field without a handler',
    () => withAction('upsertContact', { dynamicFields: {} }),
    'actions.upsertContact.fields.directoryId: has dynamic: true but dynamicFields.directoryId is not a handler function'
  ],
  [
    'a dynamic handler that is not a function',
    () => withAction('upsertContact', { dynamicFields: { directoryId: 'POOL_1' } }),
    'actions.upsertContact.dynamicFields.directoryId: is not a function'
  ],
  [
    'a handler for a field the action does not have',
    () =>
      withAction('upsertContactTransaction', {
        dynamicFields: { ...definition.actions.upsertContactTransaction.dynamicFields, listId: noop }
      }),
    'actions.upsertContactTransaction.dynamicFields.listId: names no field of this action'
  ],
  [
    'a handler for a field that is not dynamic',
    () =>
      withAction('upsertContact', {
        dynamicFields: { ...definition.actions.upsertContact.dynamicFields, email: noop }
      }),
    'actions.upsertContact.dynamicFields.email: the field is not dynamic: true, so Segment never calls it'
  ],

  // 5. defaults
  [
    'a literal default of the wrong type',
    () => withField('upsertContactTransaction', 'recordMessageId', { default: 'yes' }),
    'actions.upsertContactTransaction.fields.recordMessageId.default: is a string ("yes"), which a boolean field does not take'
  ],
  [
    'a number default given as a string',
    () => withField('triggerXflow', 'batch_size', { default: '100' }),
    'actions.triggerXflow.fields.batch_size.default: is a string ("100"), which a number field does not take'
  ],
  [
    'a default outside the choices',
    () => withField('triggerXflow', 'authMethod', { default: 'oauth' }),
    'actions.triggerXflow.fields.authMethod.default: is "oauth", not one of the field\'s choices (["token","basic"])'
  ],
  [
    'a single value as the default of a multiple field',
    () => withField('upsertContactTransaction', 'matchContactBy', { default: 'email' }),
    'actions.upsertContactTransaction.fields.matchContactBy.default: is a string but the field has multiple: true, so it takes a list'
  ],
  [
    'a list default with an item outside the choices',
    () => withField('upsertContactTransaction', 'matchContactBy', { default: ['email', 'fax'] }),
    'actions.upsertContactTransaction.fields.matchContactBy.default: item 1 is "fax", not one of the field\'s choices ' +
      '(["extRef","email","phone"])'
  ],
  [
    'a null default on a field without allowNull',
    () => withField('upsertContact', 'language', { default: null }),
    'actions.upsertContact.fields.language.default: is null but the field does not set allowNull'
  ],
  [
    'a @path directive whose path is not a string',
    () => withField('upsertContact', 'extRef', { default: { '@path': 42 } }),
    'actions.upsertContact.fields.extRef.default: /@path should be a string or a mapping directive but it is a number.'
  ],
  [
    'a misspelt directive',
    () => withField('upsertContact', 'extRef', { default: { '@paht': '$.userId' } }),
    'actions.upsertContact.fields.extRef.default: has an invalid directive: @paht.'
  ],
  [
    'a directive object with a stray key',
    () => withField('upsertContact', 'extRef', { default: { '@path': '$.userId', fallback: 'anonymous' } }),
    'actions.upsertContact.fields.extRef.default: should only have one @-prefixed key but it has 2 keys.'
  ],
  [
    'a bad directive nested in an object default',
    () =>
      withField('triggerXflow', 'eventPayload', {
        default: {
          event: { '@path': '$.event' },
          traits: { '@if': { exists: { '@path': '$.traits' }, then: { '@nope': 1 } } }
        }
      }),
    'actions.triggerXflow.fields.eventPayload.default: /traits/@if/then has an invalid directive: @nope.'
  ],

  // 6. presets
  [
    'a preset for an action that does not exist',
    () => withPreset(0, { partnerAction: 'upsertContacts' }),
    `${CONTACT_PRESET}.partnerAction: "upsertContacts" names no action of this destination`
  ],
  [
    'a preset trigger that does not parse',
    () => withPreset(0, { subscribe: 'tipe = "identify"' }),
    /^presets\[0\] \(Create or update contact\)\.subscribe: "tipe = \\"identify\\"" does not parse: /
  ],
  [
    'a preset without a trigger',
    () => withPreset(0, { subscribe: undefined }),
    `${CONTACT_PRESET}.subscribe: is undefined, not an FQL string`
  ],
  [
    'a preset of an unknown type',
    () => withPreset(0, { type: 'manual' }),
    `${CONTACT_PRESET}.type: "manual" is not 'automatic' or 'specificEvent'`
  ],
  [
    'a specificEvent preset with an unknown event slug',
    () => withPreset(0, { type: 'specificEvent', subscribe: undefined, eventSlug: 'identify' }),
    new RegExp(
      `^${CONTACT_PRESET.replace(/[[\]()]/g, '\\$&')}\\.eventSlug: "identify" is not one of warehouse_entity_added_track, `
    )
  ],
  [
    'a preset mapping with a malformed directive',
    () => withPreset(0, { mapping: { ...mappingOf(0), email: { '@template': 5 } } }),
    `${CONTACT_PRESET}.mapping: /email/@template should be a string or a mapping directive but it is a number.`
  ],
  [
    'a preset mapping key that is not a field of the action',
    () => withPreset(0, { mapping: { ...mappingOf(0), emailAddress: { '@path': '$.traits.email' } } }),
    `${CONTACT_PRESET}.mapping.emailAddress: not a field of upsertContact`
  ],
  [
    'a preset mapping value of the wrong type',
    () => withPreset(1, { mapping: { ...mappingOf(1), recordMessageId: 'true' } }),
    `${TRANSACTION_PRESET}.mapping.recordMessageId: is a string ("true"), which a boolean field does not take`
  ],
  [
    'a preset mapping without a required field that has a default',
    () => withPreset(1, { mapping: omitKey(mappingOf(1), 'extRef') }),
    `${TRANSACTION_PRESET}.mapping: lacks extRef, a required field of upsertContactTransaction that has a default`
  ],

  // 7. batching
  [
    'enable_batching on an action without performBatch',
    () => withAction('triggerXflow', { performBatch: undefined }),
    'actions.triggerXflow.fields.enable_batching: a batching field on an action without performBatch'
  ],
  [
    'batch_size on an action without performBatch',
    () => withAction('triggerXflow', { performBatch: undefined }),
    'actions.triggerXflow.fields.batch_size: a batching field on an action without performBatch'
  ],
  [
    'performBatch without enable_batching',
    () => withoutField('triggerXflow', 'enable_batching'),
    'actions.triggerXflow.performBatch: defined, but without an enable_batching field Segment never sends batches'
  ],
  [
    'an enable_batching field that is not boolean',
    () => withField('upsertContact', 'enable_batching', { type: 'string' }),
    'actions.upsertContact.fields.enable_batching: is not boolean'
  ]
]

describe.each(broken)('reports %s', (_name, build, expected) => {
  it('with where and what', () => {
    const problems = validateDefinition(build())
    expect(problems).toContainEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected))
  })
})

describe('what it does not report', () => {
  it('a required field without a default left out of a preset: the customer fills it in', () => {
    // directoryId is required and has no default (a preset cannot know the customer's directory).
    expect(presets[0].mapping).not.toHaveProperty('directoryId')
    expect(definition.actions.upsertContact.fields.directoryId).toMatchObject({ required: true })
    expect(validateDefinition(withPreset(0, { mapping: mappingOf(0) }))).toEqual([])
  })

  it('a specificEvent preset, which has an event slug instead of a trigger', () => {
    const preset = { type: 'specificEvent', subscribe: undefined, eventSlug: 'warehouse_entity_added_track' }
    expect(validateDefinition(withPreset(0, preset))).toEqual([])
  })

  it('a definition it has read: the checks leave the original untouched', () => {
    broken.forEach(([, build]) => validateDefinition(build()))
    expect(validateDefinition(definition)).toEqual([])
    expect(definition.actions.triggerXflow.performBatch).toEqual(expect.any(Function))
  })
})

describe('report', () => {
  it('prints the ✓ summary for a valid destination', () => {
    expect(report({ 'actions-qualtrics': definition })).toEqual({
      valid: ['✓ Qualtrics: 6 actions, 7 presets valid'],
      problems: []
    })
  })

  it('prefixes each problem with the destination, and checks the slug it is listed under', () => {
    const { valid, problems } = report({ 'actions-qualtrics-v2': withAction('triggerXflow', { title: '' }) })
    expect(valid).toEqual([])
    expect(problems).toEqual([
      '✗ Qualtrics: slug: listed under "actions-qualtrics-v2" but is "actions-qualtrics"',
      '✗ Qualtrics: actions.triggerXflow: has no title'
    ])
  })
})

describe('npm run validate', () => {
  it('passes on the real definitions: exit 0 and the ✓ line', () => {
    const result = runScript()
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('✓ Qualtrics: 6 actions, 7 presets valid\n')
    expect(result.status).toBe(0)
  }, 30_000)

  it('fails with every problem on stderr and exit 1', () => {
    // A --require preload breaks the registered definition in the child process only, before the script reads it.
    const dir = mkdtempSync(join(tmpdir(), 'qualtrics-validate-'))
    try {
      // Plain JS that registers tsx itself: node runs --require preloads before tsx's own hooks are in place.
      const preload = join(dir, 'break.js')
      writeFileSync(
        preload,
        [
          `require(${JSON.stringify(require.resolve('tsx/cjs'))})`,
          `const { destinations } = require(${JSON.stringify(join(ROOT, 'src/destinations'))})`,
          `const def = destinations['actions-qualtrics']`,
          `const triggerXflow = { ...def.actions.triggerXflow, title: '' }`,
          `destinations['actions-qualtrics'] = { ...def, actions: { ...def.actions, triggerXflow } }`
        ].join('\n')
      )
      const result = runScript(preload)
      expect(result.stdout).toBe('')
      expect(result.stderr).toBe('✗ Qualtrics: actions.triggerXflow: has no title\n')
      expect(result.status).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
