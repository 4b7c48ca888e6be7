import { existsSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { importsOf, sourceFiles } from './import-graph'

// The destination's folder is what is copied into Segment's monorepo: its tests sit beside its code in __tests__
// folders, import nothing outside the folder, and each gets the one harness (undeclared and unsent requests fail).
const ROOT = join(__dirname, '..')
const DESTINATION = join(ROOT, 'src', 'destinations', 'qualtrics')
const HARNESS = join(DESTINATION, '__tests__', '__helpers__', 'harness.ts')

const files = sourceFiles(DESTINATION)
const testFiles = files.filter((file) => file.endsWith('.test.ts'))
const named = (list: string[]) => list.map((file) => [relative(DESTINATION, file), file])

/** Whether the file, or a helper it imports (at any depth), is the harness. */
function reachesHarness(file: string, seen = new Set<string>()): boolean {
  if (file === HARNESS) return true
  if (seen.has(file)) return false
  seen.add(file)
  const helpers = importsOf(file).files.filter((imported) => imported.includes(`${sep}__helpers__${sep}`))
  return helpers.some((helper) => reachesHarness(helper, seen))
}

describe('the destination folder', () => {
  it('holds its tests in __tests__ folders, and test/ holds none of them', () => {
    expect(testFiles.length).toBeGreaterThan(30)
    expect(testFiles.filter((file) => !file.includes(`${sep}__tests__${sep}`))).toEqual([])
    const old = join(ROOT, 'test', 'destinations')
    expect(existsSync(old) ? sourceFiles(old) : []).toEqual([])
  })

  it.each(named(files))('%s imports nothing outside the folder', (_name, file) => {
    const outside = importsOf(file).files.filter((imported) => !imported.startsWith(`${DESTINATION}${sep}`))
    expect(outside.map((imported) => relative(ROOT, imported))).toEqual([])
  })

  it.each(named(testFiles))('%s gets the harness', (_name, file) => {
    expect(reachesHarness(file)).toBe(true)
  })
})
