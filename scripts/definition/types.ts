/**
 * Regenerates every `generated-types.ts` from the field definitions, as the monorepo CLI's type generator does:
 * `fieldsToJsonSchema`, titles and enums removed, then `json-schema-to-typescript` in the monorepo's style; and
 * `metadata.json`, as its `generate:metadata-payload` does (metadata-payload.ts). Both are compared byte for byte by
 * the monorepo's CI, so both are written exactly as its generators write them.
 *
 *   npm run types                    write the files
 *   npm run types -- --check         write nothing; exit 1 naming each stale file (a test runs this)
 *   ... --dir D                      compare or write a copy of the destination folder instead
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fieldsToJsonSchema } from '@segment/actions-core'
import type { InputField } from '@segment/actions-core'
import { compile } from 'json-schema-to-typescript'
import type { JSONSchema } from 'json-schema-to-typescript'
import destination from '../../src/destinations/qualtrics'
import { metadataPayload } from './metadata-payload'
import type { PublishableDefinition } from './metadata-payload'

const DESTINATION_DIR = join(__dirname, '..', '..', 'src', 'destinations', 'qualtrics')
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

/**
 * Two-space JSON and a newline, as the monorepo writes it. Its generator then runs Prettier over the file, but the
 * monorepo's .prettierignore lists every metadata.json, so the bytes stay as written (ours lists it too).
 */
function metadataFile(): string {
  const payload = metadataPayload(destination.slug ?? 'actions-qualtrics', destination as PublishableDefinition)
  return `${JSON.stringify(payload, null, 2)}\n`
}

/** Absolute path → the content `npm run types` would write there. */
export async function generatedTypeFiles(dir = DESTINATION_DIR): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const settingsFields = (destination.authentication?.fields ?? {}) as Record<string, InputField>
  const audienceFields = ('audienceFields' in destination ? destination.audienceFields : undefined) as
    Record<string, InputField> | undefined
  // As the monorepo's: the audience settings' type follows the settings' in the same file, with its own banner.
  const audienceTypes = audienceFields ? await typesFor(audienceFields, 'AudienceSettings') : ''
  files.set(join(dir, 'generated-types.ts'), (await typesFor(settingsFields, 'Settings')) + audienceTypes)
  for (const [slug, action] of Object.entries(destination.actions)) {
    const fields = action.fields as Record<string, InputField>
    files.set(join(dir, slug, 'generated-types.ts'), await typesFor(fields, 'Payload'))
  }
  files.set(join(dir, 'metadata.json'), metadataFile())
  return files
}

async function main(args: string[]): Promise<void> {
  const check = args.includes('--check')
  const dirIndex = args.indexOf('--dir')
  const stale: string[] = []
  for (const [path, content] of await generatedTypeFiles(dirIndex >= 0 ? args[dirIndex + 1] : undefined)) {
    const name = relative(process.cwd(), path)
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(name)
      continue
    }
    writeFileSync(path, content)
    console.log(`wrote ${name}`)
  }
  if (stale.length > 0) {
    console.error(`stale generated files (run npm run types): ${stale.join(', ')}`)
    process.exit(1)
  }
  if (check) console.log('generated types and metadata are up to date')
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
