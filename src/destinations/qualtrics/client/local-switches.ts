import { IntegrationError } from '@segment/actions-core'

/**
 * Switches for local runs only: the local server, the sandbox runs, benchmarks and tests set them. Nothing a Segment
 * user can reach (settings, mappings, event data) writes them; the destination only reads them.
 */

/** Every request Qualtrics is sent gives up after this long and is reported retryable. */
export const REQUEST_TIMEOUT_MS = 15_000

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** This machine, as a URL's `hostname` names it: the one place plain http (and a local override) may go. */
export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname)

let apiOriginOverride: string | undefined

/**
 * Points every Qualtrics request at a local look-alike (the sandbox) instead of `{datacenter}.qualtrics.com`.
 * Only the local process can call this; it is not a setting, and it accepts loopback addresses only, so the
 * token still goes nowhere but Qualtrics or this machine.
 */
export function setApiOriginOverride(origin: string | undefined): void {
  if (origin === undefined || origin === '') {
    apiOriginOverride = undefined
    return
  }
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw new IntegrationError(`The Qualtrics API override "${origin}" is not a URL`, 'LOCAL_SWITCH_INVALID', 400)
  }
  if (!['http:', 'https:'].includes(url.protocol) || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new IntegrationError(
      `The Qualtrics API override must be an http(s) loopback address, not "${origin}"`,
      'LOCAL_SWITCH_INVALID',
      400
    )
  }
  apiOriginOverride = url.origin
}

export function getApiOriginOverride(): string | undefined {
  return apiOriginOverride
}

let requestTimeoutMs = REQUEST_TIMEOUT_MS

/**
 * Changes the timeout every client uses by default. For local runs only (the fault runs hang sandbox requests and
 * should not wait 15 s for each); like the origin override it is not a setting a Segment user can reach.
 */
export function setRequestTimeout(ms: number | undefined): void {
  if (ms !== undefined && !(Number.isInteger(ms) && ms > 0))
    throw new IntegrationError(`Request timeout must be a positive integer, not ${ms}`, 'LOCAL_SWITCH_INVALID', 400)
  requestTimeoutMs = ms ?? REQUEST_TIMEOUT_MS
}

export function getRequestTimeout(): number {
  return requestTimeoutMs
}

/** How long a batch waits for its import, and the pauses between status polls (client/import-wait.ts). */
export interface ImportPolling {
  deadlineMs: number
  firstPollMs: number
  maxPollMs: number
}
export const IMPORT_POLLING: ImportPolling = { deadlineMs: 60_000, firstPollMs: 500, maxPollMs: 8_000 }
let importPolling = IMPORT_POLLING

/** For tests and local runs only, like the timeout above: shorter waits for an import. Not a setting. */
export function setImportPolling(polling: Partial<ImportPolling> | undefined): void {
  const next = { ...IMPORT_POLLING, ...polling }
  if (Object.values(next).some((ms) => !(Number.isFinite(ms) && ms > 0))) {
    throw new IntegrationError(
      `Import polling times must be positive numbers of milliseconds: ${JSON.stringify(polling)}`,
      'LOCAL_SWITCH_INVALID',
      400
    )
  }
  importPolling = next
}

export function getImportPolling(): ImportPolling {
  return importPolling
}
