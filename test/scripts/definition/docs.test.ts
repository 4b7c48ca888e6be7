import { readFileSync } from 'node:fs'
import definition from '../../../src/destinations/qualtrics'
import { ACTIONS_DOC, actionsDoc, describeMapping } from '../../../scripts/definition/docs'

const committed = () => readFileSync(ACTIONS_DOC, 'utf8')

describe('docs/qualtrics-actions.md', () => {
  it('is what `npm run docs` writes from the current definition (run it after changing a field)', async () => {
    // Regenerated in memory: a stale file fails here with the difference shown.
    expect(committed()).toEqual(await actionsDoc())
  })

  it('names every setting, action and field of the definition, with its label', () => {
    const doc = committed()
    for (const [key, field] of Object.entries(definition.authentication?.fields ?? {})) {
      expect(doc).toContain(`| ${field.label} (\`${key}\`)`)
    }
    for (const [slug, action] of Object.entries(definition.actions)) {
      expect(doc).toContain(`### ${action.title}`)
      expect(doc).toContain(`${action.title} (\`${slug}\`) is a **Cloud** action.`)
      for (const [key, field] of Object.entries(action.fields)) expect(doc).toContain(`${field.label} (\`${key}\`)`)
    }
  })

  it('would notice a change to the definition', async () => {
    const changed = {
      ...definition,
      actions: {
        ...definition.actions,
        triggerXflow: { ...definition.actions.triggerXflow, defaultSubscription: 'type = "track"' }
      }
    }
    expect(await actionsDoc(changed)).not.toEqual(committed())
  })
})

describe('describeMapping', () => {
  it('puts mapping directives in words', () => {
    expect(describeMapping({ '@path': '$.userId' })).toBe('`$.userId`')
    const traitOrContext = { exists: { '@path': '$.traits.x' }, then: { '@path': '$.traits.x' } }
    expect(describeMapping({ '@if': { ...traitOrContext, else: { '@path': '$.context.traits.x' } } })).toBe(
      '`$.traits.x`, else `$.context.traits.x`'
    )
    expect(describeMapping({ '@if': { exists: { '@path': '$.a' }, then: 'yes', else: 'no' } })).toBe(
      '`yes` if `$.a` exists, else `no`'
    )
    expect(describeMapping({ a: { '@path': '$.a' }, b: true })).toBe('a: `$.a`; b: `true`')
    expect(describeMapping(['extRef', 'email'])).toBe('`extRef`, `email`')
  })
})
