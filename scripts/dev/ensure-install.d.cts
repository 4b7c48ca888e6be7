/** Types for ensure-install.cjs, so the TypeScript tests can import it. */
export type InstallDecision = { action: 'none' } | { action: 'install' | 'shared'; reason: string }

export interface LockEntry {
  version?: string
  resolved?: string
  optional?: boolean
}

export function lockDifferences(locked: Record<string, LockEntry>, installed: Record<string, LockEntry>): string[]
export function decideInstall(root: string): InstallDecision
export function ensureInstall(options: {
  root: string
  run?: (root: string) => number
  log?: (line: string) => void
}): number
