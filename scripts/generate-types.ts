/**
 * Regenerates every `generated-types.ts` from the field definitions, as the monorepo CLI's type generator does.
 * `npm run types` writes them; `generatedTypeFiles()` is also used by a test that fails when a file is stale.
 */
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fieldsToJsonSchema, type InputField } from '@segment/actions-core'
import { compile, type JSONSchema } from 'json-schema-to-typescript'
import destination from '../src/destinations/qualtrics'

const DESTINATION_DIR = join(__dirname, '..', 'src', 'destinations', 'qualtrics')
const BANNER = '// Generated file. DO NOT MODIFY IT BY HAND.'
const STYLE = { semi: false, singleQuote: true, trailingComma: 'none' as const, printWidth: 120 }

/** The CLI drops titles (labels would become type names) and enums (choices stay plain strings). */
function stripTitlesAndEnums(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTitlesAndEnums)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'title' || key === 'enum') continue
      out[key] = stripTitlesAndEnums(inner)
    }
    return out
  }
  return value
}

async function typesFor(fields: Record<string, InputField>, name: string): Promise<string> {
  const schema = stripTitlesAndEnums(fieldsToJsonSchema(fields, { tsType: true })) as JSONSchema
  return compile(schema, name, { bannerComment: BANNER, style: STYLE })
}

/** Absolute path → the content `npm run types` would write there. */
export async function generatedTypeFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const settingsFields = (destination.authentication?.fields ?? {}) as Record<string, InputField>
  files.set(join(DESTINATION_DIR, 'generated-types.ts'), await typesFor(settingsFields, 'Settings'))
  for (const [slug, action] of Object.entries(destination.actions)) {
    files.set(
      join(DESTINATION_DIR, slug, 'generated-types.ts'),
      await typesFor(action.fields as Record<string, InputField>, 'Payload')
    )
  }
  return files
}

async function main(): Promise<void> {
  for (const [path, content] of await generatedTypeFiles()) {
    writeFileSync(path, content)
    console.log(`wrote ${relative(process.cwd(), path)}`)
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
