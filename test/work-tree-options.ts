import { relative } from 'node:path'
import { DEFAULT_QUEUE_FOLDER, DEFAULT_RESPONSES_QUEUE_FOLDER } from '../src/server/tracking/config'
import type { SnapshotOptions, TreeSnapshot } from './work-tree'

declare global {
  // Shared by global-setup.ts and global-teardown.ts, which jest runs in the same context.
  var workTreeAtStart: TreeSnapshot | undefined
}

/** The part of jest's global config that the work tree check reads. */
export interface RunConfig {
  rootDir: string
  collectCoverage: boolean
  coverageDirectory: string
}

/**
 * What the work tree check leaves out: installed packages and git's own files; the coverage report, when one was
 * asked for; and inside npm start's queue folders, which a running `npm start` writes while the tests run, all but
 * whether they exist (no test may open them: the forbidden folder sees to that).
 */
export function workTreeOptions(config: RunConfig): SnapshotOptions {
  const inTree = (folder: string) => relative(config.rootDir, folder)
  return {
    skipNames: ['node_modules', '.git'],
    skipPaths: config.collectCoverage ? [inTree(config.coverageDirectory)] : [],
    existenceOnly: [DEFAULT_QUEUE_FOLDER, DEFAULT_RESPONSES_QUEUE_FOLDER].map(inTree)
  }
}
