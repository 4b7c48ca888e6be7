/**
 * What `npm run live-check` is told, checked before any request: where (a datacenter, or a base URL), which
 * directory, which credentials (from the environment only), and whether it may write.
 */
import { isAbsolute, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import {
  checkApiOrigin,
  checkQualtricsUrl,
  isLoopbackHostname,
  normaliseDatacenter
} from '../../src/destinations/qualtrics/client'

export type LiveCredentials =
  { kind: 'apiToken'; apiToken: string } | { kind: 'oauth'; clientId: string; clientSecret: string }

export interface LiveCheckOptions {
  /** `https://{dc}.qualtrics.com`, another https Qualtrics host, or a loopback origin (the sandbox). */
  origin: string
  directoryId: string
  /** The list a one-record import goes into (write mode only); without it the import is not tried. */
  mailingListId?: string
  credentials: LiveCredentials
  write: boolean
  /** Where the JSON report goes: a file path, or '-' for stdout. */
  reportPath: string
}

export const USAGE = [
  'Usage: npm run live-check -- --datacenter iad1 --directory POOL_… [--mailing-list CG_…] [--write] [--report PATH|-]',
  '       [--base-url https://org.iad1.qualtrics.com | http://127.0.0.1:3001]',
  'Credentials from the environment only: QUALTRICS_API_TOKEN, or QUALTRICS_CLIENT_ID and QUALTRICS_CLIENT_SECRET.',
  'Flags may also come from QUALTRICS_DATACENTER, QUALTRICS_DIRECTORY_ID, QUALTRICS_MAILING_LIST_ID, QUALTRICS_API_BASE_URL.',
  'Without --write it only reads (whoami, the directory settings, one search for a contact that does not exist).'
].join('\n')

/** A mistake in what the user gave: printed with the usage, exit code 2, nothing sent. */
export class UsageError extends Error {}

const SECRET_FLAGS = ['--token', '--api-token', '--client-secret', '--client-id']
const KNOWN_FLAGS = new Set([
  '--datacenter',
  '--directory',
  '--mailing-list',
  '--base-url',
  '--report',
  '--write',
  '--help'
])
const VALUE_FLAGS = new Set(['--datacenter', '--directory', '--mailing-list', '--base-url', '--report'])
// Ids go into URL paths: letters, digits and underscores only, as Qualtrics' ids are.
const ID_PATTERN = /^[A-Za-z0-9_]{1,100}$/

function flags(args: string[]): Map<string, string | true> {
  const given = new Map<string, string | true>()
  for (let i = 0; i < args.length; i++) {
    const name = args[i]
    if (SECRET_FLAGS.includes(name)) {
      throw new UsageError(
        `${name} is not taken on the command line (it would show in the shell history and ps): set it in the environment`
      )
    }
    if (!KNOWN_FLAGS.has(name)) throw new UsageError(`Unknown argument "${name.slice(0, 40)}"`)
    if (!VALUE_FLAGS.has(name)) {
      given.set(name, true)
      continue
    }
    const value = args[i + 1]
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`)
    given.set(name, value)
    i++
  }
  return given
}

const text = (value: string | true | undefined): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

function credentialsFrom(env: NodeJS.ProcessEnv): LiveCredentials {
  const apiToken = env.QUALTRICS_API_TOKEN?.trim()
  const clientId = env.QUALTRICS_CLIENT_ID?.trim()
  const clientSecret = env.QUALTRICS_CLIENT_SECRET?.trim()
  if (clientId || clientSecret) {
    if (!clientId || !clientSecret) {
      throw new UsageError(
        `QUALTRICS_${clientId ? 'CLIENT_SECRET' : 'CLIENT_ID'} is missing: an OAuth client needs both`
      )
    }
    if (clientId.includes(':')) throw new UsageError('QUALTRICS_CLIENT_ID must not contain ":"')
    return { kind: 'oauth', clientId, clientSecret }
  }
  if (apiToken) return { kind: 'apiToken', apiToken }
  throw new UsageError('No credentials: set QUALTRICS_API_TOKEN, or QUALTRICS_CLIENT_ID and QUALTRICS_CLIENT_SECRET')
}

/** The host of an https URL under the destination's rule for Qualtrics hosts (`checkQualtricsUrl`); else undefined. */
export function qualtricsHostOf(raw: string): string | undefined {
  const checked = checkQualtricsUrl(raw)
  return 'parts' in checked ? checked.parts.host : undefined
}

/**
 * A real host must pass the destination's rule for Qualtrics hosts (https, a plain *.qualtrics.com name, no port,
 * user info or IP address), with no path or query; a loopback origin (the sandbox) may be http.
 */
export function checkBaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`--base-url "${raw.slice(0, 80)}" is not a URL`)
  }
  if (isLoopbackHostname(url.hostname)) {
    try {
      return checkApiOrigin(raw) as string
    } catch (error) {
      throw new UsageError(`--base-url: ${(error as Error).message}`)
    }
  }
  const checked = checkQualtricsUrl(raw)
  if (!('parts' in checked) || !['', '/'].includes(checked.parts.path) || checked.parts.query !== '') {
    throw new UsageError(
      `--base-url must be https://<name>.qualtrics.com (no port, user, IP address or path) or a loopback http origin, not "${raw.slice(0, 80)}"`
    )
  }
  return `https://${checked.parts.host}`
}

function originOf(given: Map<string, string | true>, env: NodeJS.ProcessEnv): string {
  const baseUrl = text(given.get('--base-url')) ?? text(env.QUALTRICS_API_BASE_URL)
  if (baseUrl) return checkBaseUrl(baseUrl)
  const datacenter = text(given.get('--datacenter')) ?? text(env.QUALTRICS_DATACENTER)
  if (!datacenter) throw new UsageError('No datacenter: give --datacenter (e.g. iad1) or set QUALTRICS_DATACENTER')
  try {
    return `https://${normaliseDatacenter(datacenter)}.qualtrics.com`
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

function idOf(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && !ID_PATTERN.test(value)) {
    throw new UsageError(`${what} "${value.slice(0, 60)}" is not an id (letters, digits and underscores)`)
  }
  return value
}

/** The report's default home: the system's temp folder, never the project's `.local/`. */
export const defaultReportPath = (now: Date) =>
  resolve(tmpdir(), `qualtrics-live-check-${now.toISOString().replace(/[:.]/g, '-')}.json`)

export function parseLiveCheckOptions(args: string[], env: NodeJS.ProcessEnv, now = new Date()): LiveCheckOptions {
  const given = flags(args)
  if (given.has('--help')) throw new UsageError('')
  const directoryId = idOf(text(given.get('--directory')) ?? text(env.QUALTRICS_DIRECTORY_ID), 'The directory id')
  if (!directoryId) throw new UsageError('No directory: give --directory POOL_… or set QUALTRICS_DIRECTORY_ID')
  const mailingListId = idOf(
    text(given.get('--mailing-list')) ?? text(env.QUALTRICS_MAILING_LIST_ID),
    'The mailing list id'
  )
  const report = text(given.get('--report'))
  return {
    origin: originOf(given, env),
    directoryId,
    mailingListId,
    credentials: credentialsFrom(env),
    write: given.get('--write') === true,
    reportPath: report === '-' ? '-' : report ? (isAbsolute(report) ? report : resolve(report)) : defaultReportPath(now)
  }
}
