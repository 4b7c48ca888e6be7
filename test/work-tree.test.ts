import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempFolder } from './server/tracking/helpers'
import { snapshotTree, treeChanges } from './work-tree'
import { workTreeOptions } from './work-tree-options'

// The check global-teardown.ts runs on the work tree, tried on a tree of its own.

let tree: ReturnType<typeof tempFolder>
beforeEach(() => {
  tree = tempFolder()
  for (const folder of ['src', 'node_modules/pkg', '.local/queue', '.local/other']) {
    mkdirSync(join(tree.folder, folder), { recursive: true })
  }
  for (const file of ['src/a.ts', 'node_modules/pkg/index.js', '.local/queue/LOG', '.local/other/notes.json']) {
    writeFileSync(join(tree.folder, file), 'first')
  }
})
afterEach(() => tree.remove())

const options = { skipNames: ['node_modules'], existenceOnly: ['.local/queue'] }
const path = (relative: string) => join(tree.folder, relative)
/** Rewrites a file with other content of the same size and a later modification time. */
function rewrite(relative: string) {
  writeFileSync(path(relative), 'again')
  utimesSync(path(relative), new Date(), new Date(Date.now() + 5000))
}

describe('the work tree check', () => {
  it('sees nothing when nothing changed', () => {
    expect(treeChanges(snapshotTree(tree.folder, options), snapshotTree(tree.folder, options))).toEqual([])
  })

  it('names a file added, removed or rewritten (ignored ones too), and a folder made', () => {
    const before = snapshotTree(tree.folder, options)
    writeFileSync(path('src/new.png'), 'x')
    rmSync(path('src/a.ts'))
    rewrite('.local/other/notes.json')
    mkdirSync(path('.local/screens'))
    const changes = treeChanges(before, snapshotTree(tree.folder, options))
    expect(changes.map((line) => line.replace(/ \(.*$/, ''))).toEqual([
      'changed .local/other/notes.json',
      'added .local/screens',
      'removed src/a.ts',
      'added src/new.png'
    ])
  })

  it('leaves out node_modules, and looks only at whether a folder npm start writes is there', () => {
    const before = snapshotTree(tree.folder, options)
    writeFileSync(path('node_modules/pkg/cache'), 'x')
    rewrite('.local/queue/LOG')
    writeFileSync(path('.local/queue/000005.ldb'), 'x')
    expect(treeChanges(before, snapshotTree(tree.folder, options))).toEqual([])
    rmSync(path('.local/queue'), { recursive: true })
    expect(treeChanges(before, snapshotTree(tree.folder, options))).toEqual(['removed .local/queue (was folder)'])
  })

  it('knows npm start’s queue folders, and leaves the coverage report out only when one was asked for', () => {
    const root = join(__dirname, '..')
    const config = { rootDir: root, collectCoverage: false, coverageDirectory: join(root, 'coverage') }
    expect(workTreeOptions(config).existenceOnly).toEqual(['.local/queue', '.local/responses-queue'])
    expect(workTreeOptions(config).skipPaths).toEqual([])
    expect(workTreeOptions({ ...config, collectCoverage: true }).skipPaths).toEqual(['coverage'])
  })
})
