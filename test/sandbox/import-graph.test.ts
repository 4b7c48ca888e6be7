import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { importsOf, sourceFiles } from '../import-graph'

// The sandbox knows nothing of the rest (it must not learn from the destination); circles are checked for the whole
// tree in test/import-graph.test.ts.
const SANDBOX = resolve(__dirname, '../../src/sandbox')

describe('the sandbox as a house', () => {
  const files = sourceFiles(SANDBOX)

  it('imports only Node and its own files', () => {
    const outside = files.flatMap((file) => {
      const { files: targets, packages } = importsOf(file)
      return [
        ...targets.filter((target) => !target.startsWith(SANDBOX + '/')).map((target) => relative(SANDBOX, target)),
        ...packages.filter((name) => !name.startsWith('node:'))
      ].map((target) => `${relative(SANDBOX, file)} → ${target}`)
    })
    expect(files.length).toBeGreaterThan(20)
    expect(outside).toEqual([])
  })

  it('has no file over 300 lines', () => {
    const long = files
      .map((file) => [relative(SANDBOX, file), readFileSync(file, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 300)
    expect(long).toEqual([])
  })
})
