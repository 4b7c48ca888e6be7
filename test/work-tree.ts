import { existsSync, lstatSync, readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/** Every file, folder and link under a folder, by path: what it is, and for a file its size and last change. */
export type TreeSnapshot = Map<string, string>

export interface SnapshotOptions {
  /** Folder names never entered, wherever they are (node_modules, .git). */
  skipNames?: string[]
  /** Paths (relative to the root) left out altogether. */
  skipPaths?: string[]
  /** Folders (relative paths) of which only the existence is recorded: another process may write inside them. */
  existenceOnly?: string[]
}

/** Walks `root`; files are described by size and modification time in nanoseconds, so any write shows. */
export function snapshotTree(root: string, options: SnapshotOptions = {}): TreeSnapshot {
  const skip = new Set(options.skipNames ?? [])
  const skipPaths = new Set(options.skipPaths ?? [])
  const existenceOnly = new Set(options.existenceOnly ?? [])
  const snapshot: TreeSnapshot = new Map()
  if (!existsSync(root)) return snapshot
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name)
      if (skip.has(name) || skipPaths.has(relative(root, path))) continue
      const key = relative(root, path).split(sep).join('/')
      const stat = lstatSync(path, { bigint: true })
      if (stat.isDirectory()) {
        snapshot.set(key, 'folder')
        if (!existenceOnly.has(relative(root, path))) walk(path)
      } else if (stat.isFile()) snapshot.set(key, `file ${stat.size} bytes, changed ${stat.mtimeNs}`)
      else snapshot.set(key, stat.isSymbolicLink() ? 'link' : 'other')
    }
  }
  walk(root)
  return snapshot
}

/** What differs between two snapshots, one line per path, sorted: added, removed or changed. */
export function treeChanges(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const paths = new Set([...before.keys(), ...after.keys()])
  const changes: string[] = []
  for (const path of [...paths].sort()) {
    const was = before.get(path)
    const is = after.get(path)
    if (was === is) continue
    if (was === undefined) changes.push(`added ${path} (${is})`)
    else if (is === undefined) changes.push(`removed ${path} (was ${was})`)
    else changes.push(`changed ${path} (was ${was}, now ${is})`)
  }
  return changes
}
