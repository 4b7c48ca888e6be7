import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decideInstall, ensureInstall } from '../../../scripts/dev/ensure-install.cjs'
import type { LockEntry } from '../../../scripts/dev/ensure-install.cjs'

// Every case builds a project in a temp dir and injects the runner: no test ever runs a real `npm ci`.
const LOCKED: Record<string, LockEntry> = {
  '': { version: '0.1.0' },
  'node_modules/jest': { version: '29.7.0' },
  'node_modules/@scope/tool': { version: '1.2.3' },
  'node_modules/jest/node_modules/semver': { version: '7.6.0' },
  'node_modules/fsevents': { version: '2.3.3', optional: true }
}
// What npm records in node_modules/.package-lock.json on Linux: no root entry, no optional package for macOS.
const INSTALLED: Record<string, LockEntry> = Object.fromEntries(
  Object.entries(LOCKED).filter(([path, entry]) => path !== '' && !entry.optional)
)

let dirs: string[] = []
afterEach(() => {
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }))
  dirs = []
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ensure-install-'))
  dirs.push(dir)
  return dir
}

const writeLock = (file: string, packages: Record<string, LockEntry>) =>
  writeFileSync(file, JSON.stringify({ name: 'p', lockfileVersion: 3, packages }))

/** A project with package-lock.json and, unless `installed` is null, a node_modules recording those packages. */
function project(installed: Record<string, LockEntry> | null = INSTALLED, locked = LOCKED): string {
  const root = tempDir()
  writeLock(join(root, 'package-lock.json'), locked)
  if (installed) {
    mkdirSync(join(root, 'node_modules'))
    writeLock(join(root, 'node_modules', '.package-lock.json'), installed)
  }
  return root
}

function run(root: string) {
  const runner = jest.fn((_root: string) => 0)
  const lines: string[] = []
  const status = ensureInstall({ root, run: runner, log: (line) => lines.push(line) })
  return { status, ran: runner.mock.calls.length > 0, lines }
}

describe('ensure-install', () => {
  it('does nothing, silently, when node_modules holds what package-lock.json records', () => {
    expect(run(project())).toEqual({ status: 0, ran: false, lines: [] })
  })

  it('runs npm ci on a fresh clone (no node_modules) and says so', () => {
    const result = run(project(null))
    expect(result.ran).toBe(true)
    expect(result.lines).toEqual(['node_modules is missing: running npm ci first.'])
  })

  it('runs npm ci when a package has another version, naming it', () => {
    const result = run(project({ ...INSTALLED, 'node_modules/jest': { version: '29.6.0' } }))
    expect(result.ran).toBe(true)
    expect(result.lines[0]).toContain('jest is 29.6.0, package-lock.json has 29.7.0')
  })

  it('runs npm ci when a locked package (also a nested one) is not installed', () => {
    const withoutNested = { ...INSTALLED }
    delete withoutNested['node_modules/jest/node_modules/semver']
    const result = run(project(withoutNested))
    expect(result.ran).toBe(true)
    expect(result.lines[0]).toContain('jest/node_modules/semver is not installed')
  })

  it('runs npm ci when node_modules holds a package the lockfile does not', () => {
    const result = run(project({ ...INSTALLED, 'node_modules/left-pad': { version: '1.3.0' } }))
    expect(result.ran).toBe(true)
    expect(result.lines[0]).toContain('left-pad@1.3.0 is not in package-lock.json')
  })

  it('runs npm ci when node_modules exists without npm’s record of it', () => {
    const root = project(null)
    mkdirSync(join(root, 'node_modules'))
    const result = run(root)
    expect(result.ran).toBe(true)
    expect(result.lines[0]).toContain('.package-lock.json is missing')
  })

  it('does not count optional packages for other platforms as missing, nor need the root entry', () => {
    expect(decideInstall(project())).toEqual({ action: 'none' })
  })

  it('never runs npm ci where node_modules is a symbolic link, even when it does not match', () => {
    const shared = project({ ...INSTALLED, 'node_modules/jest': { version: '1.0.0' } })
    const root = project(null)
    symlinkSync(join(shared, 'node_modules'), join(root, 'node_modules'), 'dir')
    const result = run(root)
    expect(result.ran).toBe(false)
    expect(result.status).toBe(0)
    expect(result.lines[0]).toMatch(/symbolic link .* left alone: jest is 1.0.0/)
  })

  it('is silent for a symbolic link to a matching node_modules (the worktrees here)', () => {
    const shared = project()
    const root = project(null)
    symlinkSync(join(shared, 'node_modules'), join(root, 'node_modules'), 'dir')
    expect(run(root)).toEqual({ status: 0, ran: false, lines: [] })
  })

  it('does nothing without a package-lock.json (there is nothing to install from)', () => {
    expect(run(tempDir())).toEqual({ status: 0, ran: false, lines: [] })
  })

  it('passes a failed npm ci on, so npm start / npm test stop', () => {
    const lines: string[] = []
    const status = ensureInstall({ root: project(null), run: () => 7, log: (line) => lines.push(line) })
    expect(status).toBe(7)
    expect(lines.at(-1)).toBe('npm ci failed (exit 7).')
  })

  it('names three differences and counts the rest', () => {
    const drifted = Object.fromEntries(Object.keys(INSTALLED).map((path) => [path, { version: '0.0.1' }]))
    const extra = { ...drifted, 'node_modules/a': { version: '1.0.0' } }
    const decision = decideInstall(project(extra))
    expect(decision).toMatchObject({ action: 'install' })
    expect('reason' in decision && decision.reason).toMatch(/; and 1 more$/)
  })
})
