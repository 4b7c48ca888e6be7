import { LOCAL_FOLDER } from '../src/server/tracking/config'
import { FORBIDDEN_FOLDER_VARIABLE } from '../src/server/tracking/folder-guard'
import { snapshotTree } from './work-tree'
import { workTreeOptions } from './work-tree-options'
import type { RunConfig } from './work-tree-options'

/**
 * Before any test file: no queue in this run may open the project's .local/ (the variable reaches every worker and
 * every child process a test starts), and the work tree is recorded for global-teardown.ts to compare.
 */
export default function globalSetup(globalConfig: RunConfig): void {
  process.env[FORBIDDEN_FOLDER_VARIABLE] = LOCAL_FOLDER
  globalThis.workTreeAtStart = snapshotTree(globalConfig.rootDir, workTreeOptions(globalConfig))
}
