import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { importCircles, importGraph } from './import-graph'

const SANDBOX = resolve(__dirname, '../../src/sandbox')

describe('the sandbox as a house', () => {
  const graph = importGraph(SANDBOX)

  it('has no import circle', () => {
    expect(importCircles(graph)).toEqual([])
  })

  it('imports only Node and its own files', () => {
    const outside = [...graph].flatMap(([file, { files, packages }]) =>
      [
        ...files.filter((target) => !target.startsWith(SANDBOX + '/')).map((target) => relative(SANDBOX, target)),
        ...packages.filter((name) => !name.startsWith('node:'))
      ].map((target) => `${relative(SANDBOX, file)} → ${target}`)
    )
    expect(outside).toEqual([])
  })

  it('has no file over 300 lines', () => {
    const long = [...graph.keys()]
      .map((file) => [relative(SANDBOX, file), readFileSync(file, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 300)
    expect(long).toEqual([])
  })

  it('finds a circle where there is one', () => {
    const a = join(SANDBOX, 'a.ts')
    const b = join(SANDBOX, 'b.ts')
    const c = join(SANDBOX, 'c.ts')
    const circles = importCircles(
      new Map([
        [a, { files: [b], packages: [] }],
        [b, { files: [a, c], packages: [] }],
        [c, { files: [c], packages: [] }]
      ]),
      SANDBOX
    )
    expect(circles).toEqual([['a.ts', 'b.ts'], ['c.ts']])
  })
})
