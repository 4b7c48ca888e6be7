/**
 * One live check: the read-only steps, then (with --write) the steps on one test contact, which is cleaned up in a
 * `finally` whatever failed. Answers the report; nothing here prints.
 */
import { randomBytes } from 'node:crypto'
import { LiveApi } from './api'
import type { RequestRecord } from './api'
import { cleanUp } from './cleanup'
import type { CleanupOutcome } from './cleanup'
import { MARKER_PREFIX } from './context'
import type { CheckContext } from './context'
import type { LiveCheckOptions } from './options'
import { observeDirectory, observeEmptySearch, observeNextPageHost, observeWhoami } from './read-checks'
import { Findings } from './rows'
import type { Row } from './rows'
import { runWriteChecks } from './write-checks'

export interface LiveCheckDeps {
  fetch?: typeof fetch
  /** The pauses while Qualtrics catches up (index lag, import progress); a test moves a clock instead. */
  sleep?: (ms: number) => Promise<void>
  now?: () => Date
  /** The random part of the marker. */
  random?: () => string
}

export interface LiveCheckReport {
  startedAt: string
  origin: string
  directoryId: string
  mailingListId?: string
  mode: 'read-only' | 'write'
  auth: 'apiToken' | 'oauth'
  rows: Row[]
  /** Every request sent: method, path and status (no header, no body). */
  requests: RequestRecord[]
  testContact?: { marker: string } & CleanupOutcome
  error?: string
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function runLiveCheck(options: LiveCheckOptions, deps: LiveCheckDeps = {}): Promise<LiveCheckReport> {
  const now = deps.now ?? (() => new Date())
  const api = new LiveApi(options.origin, options.credentials, deps.fetch)
  const ctx: CheckContext = {
    api,
    options,
    findings: new Findings(),
    marker: `${MARKER_PREFIX}${(deps.random ?? (() => randomBytes(6).toString('hex')))()}`.toLowerCase(),
    nextPages: [],
    flags: [],
    created: [],
    importAdded: 0,
    sleep: deps.sleep ?? realSleep,
    now
  }
  const startedAt = now().toISOString()
  let error: string | undefined
  let cleanup: CleanupOutcome | undefined
  let readDone = false
  try {
    await observeWhoami(ctx)
    await observeDirectory(ctx)
    await observeEmptySearch(ctx)
    readDone = true
    if (options.write) await runWriteChecks(ctx)
  } catch (failure) {
    error = api.redact((failure as Error).message)
  } finally {
    // Only once the directory is known to be the one named: before that nothing was written.
    if (options.write && readDone) cleanup = await cleanUp(ctx)
  }
  observeNextPageHost(ctx)
  const run = {
    write: options.write,
    mailingList: options.mailingListId !== undefined,
    oauth: options.credentials.kind === 'oauth',
    stopped: error !== undefined
  }
  return {
    startedAt,
    origin: options.origin,
    directoryId: options.directoryId,
    ...(options.mailingListId ? { mailingListId: options.mailingListId } : {}),
    mode: options.write ? 'write' : 'read-only',
    auth: options.credentials.kind,
    rows: ctx.findings.rows(run),
    requests: api.requests,
    ...(cleanup ? { testContact: { marker: ctx.marker, ...cleanup } } : {}),
    ...(error ? { error } : {})
  }
}

/** Whether the run did all it set out to and left nothing behind. */
export const succeeded = (report: LiveCheckReport) =>
  !report.error &&
  (!report.testContact || (report.testContact.leftBehind.length === 0 && report.testContact.problems.length === 0))
