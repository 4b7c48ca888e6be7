import type { RunConfig } from './work-tree-options'
import { snapshotTree, treeChanges } from './work-tree'
import { workTreeOptions } from './work-tree-options'

/** After every test file: the run fails when the work tree is not as global-setup.ts found it. */
export default function globalTeardown(globalConfig: RunConfig): void {
  const before = globalThis.workTreeAtStart
  if (before === undefined) return
  const changes = treeChanges(before, snapshotTree(globalConfig.rootDir, workTreeOptions(globalConfig)))
  if (changes.length === 0) return
  throw new Error(
    `The test run changed the work tree, which it must leave as it found it (see test/global-setup.ts):\n  ` +
      `${changes.join('\n  ')}\nA test or script wrote there instead of a temporary folder of its own ` +
      '(or the files were edited while the tests ran).'
  )
}
