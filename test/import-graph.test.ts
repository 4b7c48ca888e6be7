import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { circles, importGraph, loopThrough } from './import-graph'
import type { ImportGraph } from './import-graph'

const ROOT = resolve(__dirname, '..')
const FOLDERS = ['src', 'scripts']

describe('the import graph of src/ and scripts/', () => {
  const graph = importGraph(ROOT, FOLDERS)
  const found = circles(graph)

  it('has no import circle', () => {
    expect(found.map((part) => loopThrough(graph, part))).toEqual([])
  })

  it('reads the whole tree (every import resolved into it, not an empty graph)', () => {
    expect(graph.size).toBeGreaterThan(100)
    expect(graph.get('scripts/faults/faults.ts')?.size).toBeGreaterThan(0)
  })
})

describe('the circle check itself', () => {
  let folder: string
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'import-graph-'))))
  afterEach(() => rmSync(folder, { recursive: true, force: true }))

  function write(files: Record<string, string>) {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true })
      writeFileSync(join(folder, path), text)
    }
  }

  it('follows type-only imports, export-from, require() and import(), and leaves packages out', () => {
    write({
      'a/one.ts': "import type { T } from './two'\nimport x from 'some-package'\n",
      'a/two.ts': "export { y } from '../b'\n",
      'b/index.ts': "const z = require('./three.cjs')\nexport const w = () => import('../a/one')\n",
      'b/three.cjs': 'module.exports = 1\n'
    })
    const graph = importGraph(folder, ['a', 'b'])
    expect(Object.fromEntries([...graph].map(([file, targets]) => [file, [...targets]]))).toEqual({
      'a/one.ts': ['a/two.ts'],
      'a/two.ts': ['b/index.ts'],
      'b/index.ts': ['b/three.cjs', 'a/one.ts'],
      'b/three.cjs': []
    })
    expect(circles(graph)).toEqual([['a/one.ts', 'a/two.ts', 'b/index.ts']])
  })

  it('names each circle once with a loop to follow, and a file that imports itself', () => {
    const graph: ImportGraph = new Map([
      ['a.ts', new Set(['b.ts'])],
      ['b.ts', new Set(['c.ts', 'd.ts'])],
      ['c.ts', new Set(['a.ts'])],
      ['d.ts', new Set(['e.ts'])],
      ['e.ts', new Set<string>()],
      ['f.ts', new Set(['f.ts'])]
    ])
    expect(circles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['f.ts']])
    expect(loopThrough(graph, ['a.ts', 'b.ts', 'c.ts'])).toBe('a.ts → b.ts → c.ts → a.ts')
    expect(loopThrough(graph, ['f.ts'])).toBe('f.ts → f.ts')
  })

  it('finds no circle in a graph that only points one way', () => {
    const graph: ImportGraph = new Map([
      ['a.ts', new Set(['b.ts', 'c.ts'])],
      ['b.ts', new Set(['c.ts'])],
      ['c.ts', new Set<string>()]
    ])
    expect(circles(graph)).toEqual([])
  })
})
