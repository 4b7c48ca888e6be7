import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SandboxClock } from './clock'
import type { FaultConfig } from './faults'
import type { Profile, Readings } from './readings'
import { parseJson, readBody, send } from './http-io'
import { isObject } from './plain-object'
import type { SandboxStore } from './store'
import { handleSurveyInspection, SURVEY_INSPECTION_ROUTES } from './survey-completion'

/** What the inspection routes read and change. */
export interface Inspected {
  store: SandboxStore
  clock: SandboxClock
  stats(): unknown
  faults(): FaultConfig
  setFaults(config: FaultConfig): void
  reset(): void
  profile: Profile
  readings: Readings
}

const ROUTES = [
  'GET /__sandbox/state',
  'GET /__sandbox/stats',
  'GET /__sandbox/readings',
  'GET|PUT /__sandbox/faults',
  'GET|POST /__sandbox/clock',
  'POST /__sandbox/reset',
  ...SURVEY_INSPECTION_ROUTES
]

async function readJson(req: IncomingMessage): Promise<unknown> {
  return parseJson(await readBody(req, 64 * 1024))
}

/** `POST /__sandbox/clock {"advanceMs": n}` moves the sandbox clock on, e.g. past the index lag, without waiting. */
function advanceClock(clock: SandboxClock, body: unknown): void {
  const advanceMs = isObject(body) ? body.advanceMs : undefined
  if (typeof advanceMs !== 'number') throw new Error('The body must be {"advanceMs": <milliseconds of sandbox time>}')
  clock.advance(advanceMs)
}

/** The `/__sandbox/*` routes: what the sandbox holds, its counters, its fault configuration and its clock. */
export async function handleInspection(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  sandbox: Inspected
): Promise<void> {
  const { method } = req
  if (await handleSurveyInspection(req, res, path, sandbox.store)) return
  if (method === 'GET' && path === '/__sandbox/state') return send(res, 200, sandbox.store.snapshot())
  if (method === 'GET' && path === '/__sandbox/stats') return send(res, 200, sandbox.stats())
  if (method === 'GET' && path === '/__sandbox/readings') {
    return send(res, 200, { profile: sandbox.profile, readings: sandbox.readings })
  }
  if (method === 'GET' && path === '/__sandbox/faults') return send(res, 200, sandbox.faults())
  const clockState = () => ({ now: sandbox.clock.now(), timeScale: sandbox.clock.timeScale })
  if (method === 'GET' && path === '/__sandbox/clock') return send(res, 200, clockState())
  if (method === 'POST' && path === '/__sandbox/reset') {
    sandbox.reset()
    return send(res, 200, { reset: true })
  }
  const change =
    (method === 'PUT' || method === 'POST') && path === '/__sandbox/faults'
      ? async () => sandbox.setFaults((await readJson(req)) as FaultConfig)
      : method === 'POST' && path === '/__sandbox/clock'
        ? async () => advanceClock(sandbox.clock, await readJson(req))
        : undefined
  if (!change) return send(res, 404, { error: `No inspection route ${method} ${path}`, routes: ROUTES })
  try {
    await change()
  } catch (error) {
    return send(res, 400, { error: (error as Error).message })
  }
  return send(res, 200, path === '/__sandbox/clock' ? clockState() : sandbox.faults())
}
