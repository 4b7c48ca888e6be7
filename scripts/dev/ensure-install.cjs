/**
 * `prestart` and `pretest`: on a fresh clone, `npm start` and `npm test` install first. When node_modules is
 * missing or does not hold what package-lock.json records, this runs `npm ci` and says so; otherwise it does
 * nothing. Plain Node with no dependency, since it runs before any dependency exists.
 *
 * "Matches" compares npm's own record of what it installed (node_modules/.package-lock.json, written by every
 * npm 7+ install) with package-lock.json's `packages`: the same names at the same versions. Optional packages
 * for other platforms are absent from node_modules by design and are not counted as missing.
 *
 * A node_modules that is a symbolic link belongs to another checkout (it is shared): it is never reinstalled
 * from here, only reported.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: no build step, no dependency */
const { existsSync, lstatSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { spawnSync } = require('node:child_process')

const HIDDEN_LOCKFILE = join('node_modules', '.package-lock.json')
const SHOWN_DIFFERENCES = 3

function readPackages(file) {
  const packages = JSON.parse(readFileSync(file, 'utf8')).packages
  return packages && typeof packages === 'object' ? packages : {}
}

const nameOf = (path) => path.replace(/^node_modules\//, '')
const versionOf = (entry) => entry.version ?? entry.resolved

/** What differs between package-lock.json's packages and the installed ones, one line per package. */
function lockDifferences(locked, installed) {
  const differences = []
  for (const [path, entry] of Object.entries(locked)) {
    if (path === '') continue // the project itself
    const present = installed[path]
    if (!present) {
      if (!entry.optional) differences.push(`${nameOf(path)} is not installed`)
    } else if (versionOf(present) !== versionOf(entry)) {
      differences.push(`${nameOf(path)} is ${versionOf(present)}, package-lock.json has ${versionOf(entry)}`)
    }
  }
  for (const [path, entry] of Object.entries(installed)) {
    if (!(path in locked)) differences.push(`${nameOf(path)}@${versionOf(entry)} is not in package-lock.json`)
  }
  return differences
}

function summarize(differences) {
  const shown = differences.slice(0, SHOWN_DIFFERENCES).join('; ')
  const more = differences.length - SHOWN_DIFFERENCES
  return more > 0 ? `${shown}; and ${more} more` : shown
}

/** Why node_modules does not match package-lock.json, or '' when it does. */
function installedDifferences(root) {
  const installedFile = join(root, HIDDEN_LOCKFILE)
  if (!existsSync(installedFile)) return `${HIDDEN_LOCKFILE} is missing, so what is installed is unknown`
  try {
    return summarize(lockDifferences(readPackages(join(root, 'package-lock.json')), readPackages(installedFile)))
  } catch (error) {
    return `${HIDDEN_LOCKFILE} or package-lock.json could not be read (${error.message})`
  }
}

/**
 * What to do in `root`: `{ action: 'none' }` when node_modules matches (or there is no lockfile to install from),
 * `{ action: 'install', reason }` when `npm ci` should run, `{ action: 'shared', reason }` when it should but
 * node_modules is a symbolic link that this checkout does not own.
 */
function decideInstall(root) {
  if (!existsSync(join(root, 'package-lock.json'))) return { action: 'none' }
  let linked = false
  try {
    linked = lstatSync(join(root, 'node_modules')).isSymbolicLink()
  } catch {
    return { action: 'install', reason: 'node_modules is missing' }
  }
  const reason = installedDifferences(root)
  if (!reason) return { action: 'none' }
  return { action: linked ? 'shared' : 'install', reason }
}

/** Runs npm with the same npm that runs this script when there is one (npm sets npm_execpath). */
function runNpmCi(root) {
  const npmCli = process.env.npm_execpath
  const args = ['ci', '--no-audit', '--no-fund']
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  return result.status ?? 1
}

/** Decides and acts; returns the exit code. `run` and `log` are injectable so tests never run a real npm ci. */
function ensureInstall({ root, run = runNpmCi, log = (line) => console.error(line) }) {
  const decision = decideInstall(root)
  if (decision.action === 'shared') {
    log(`node_modules is a symbolic link (shared with another checkout), so it is left alone: ${decision.reason}`)
    return 0
  }
  if (decision.action !== 'install') return 0
  log(`${decision.reason}: running npm ci first.`)
  const status = run(root)
  if (status !== 0) log(`npm ci failed (exit ${status}).`)
  return status
}

module.exports = { decideInstall, ensureInstall, lockDifferences }

if (require.main === module) {
  /* global __dirname */
  process.exitCode = ensureInstall({ root: join(__dirname, '..', '..') })
}
