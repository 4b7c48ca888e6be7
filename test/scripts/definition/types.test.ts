import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The generator runs in its own process: json-schema-to-typescript formats with Prettier 3, which loads its
// plugins by dynamic import, and jest's CommonJS runtime cannot do that.
const ROOT = join(__dirname, '..', '..', '..')
const checkTypes = (...extra: string[]) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/definition/types.ts', '--check', ...extra], {
    cwd: ROOT,
    encoding: 'utf8'
  })

it('every generated-types.ts and metadata.json is what `npm run types` would write', () => {
  const result = checkTypes()
  expect(result.stderr).toBe('')
  expect(result.stdout).toContain('generated types and metadata are up to date')
  expect(result.status).toBe(0)
}, 30_000)

it('the check fails on a hand-edited file', () => {
  const copy = mkdtempSync(join(tmpdir(), 'qualtrics-types-'))
  try {
    cpSync(join(ROOT, 'src/destinations/qualtrics'), copy, { recursive: true })
    const file = join(copy, 'triggerXflow/generated-types.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('workflowUrl: string', 'workflowUrl: number'))
    const result = checkTypes('--dir', copy)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('triggerXflow/generated-types.ts')
    expect(result.stderr).not.toContain('upsertContact/generated-types.ts')
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}, 30_000)

it('the check fails on a stale metadata.json', () => {
  const copy = mkdtempSync(join(tmpdir(), 'qualtrics-metadata-'))
  try {
    cpSync(join(ROOT, 'src/destinations/qualtrics'), copy, { recursive: true })
    const file = join(copy, 'metadata.json')
    const stale = readFileSync(file, 'utf8').replace('"hasPerformBatch": true', '"hasPerformBatch": false')
    expect(stale).not.toBe(readFileSync(file, 'utf8'))
    writeFileSync(file, stale)
    const result = checkTypes('--dir', copy)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('metadata.json')
    expect(result.stderr).not.toContain('generated-types.ts')
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}, 30_000)
