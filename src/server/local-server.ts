import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  defaultValues,
  Destination,
  type DestinationDefinition,
  type JSONObject,
  type ModifiedResponse,
  type SegmentEvent
} from '@segment/actions-core'
import qualtrics from '../destinations/qualtrics'
import { isRetryableStatus } from '../destinations/qualtrics/client'
import { BadRequest, isPlainObject, readJsonBody, sendJson } from './http-utils'

// The server runs any destination definition; ours is the default. Settings are the definition's own type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = DestinationDefinition<any>
type Settings = Record<string, unknown>

/** A trigger and the action it feeds, as Segment stores a mapping (a "subscription"). */
export interface LocalSubscription {
  name: string
  subscribe: string
  partnerAction: string
  mapping: Record<string, unknown>
}

export interface LocalServerOptions {
  definition?: AnyDefinition
  /** Settings used where a request gives none (the sandbox's, or QUALTRICS_* from the environment). */
  settings?: Settings
  /** Mapping values filled in for fields an action has and a request leaves out (directory, mailing list, workflow). */
  mappingDefaults?: Record<string, unknown>
  /** Per action, values that win over `mappingDefaults` (e.g. transactions kept in a directory of their own). */
  actionMappingDefaults?: Record<string, Record<string, unknown>>
  /** Triggers for POST /events beyond the definition's presets (for example a workflow trigger). */
  extraSubscriptions?: LocalSubscription[]
  bodyLimitBytes?: number
  log?: (line: string) => void
}

/** One event's outcome, in the shape of Segment's multistatus entries, plus whether Segment would retry it. */
export interface EventResult {
  status: number
  retryable: boolean
  body?: unknown
  errortype?: string
  errormessage?: string
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024

function errorResult(error: unknown): EventResult {
  const e = error as { status?: number; code?: string; name?: string; message?: string }
  // Schema validation errors from actions-core carry no status: they are bad input.
  const status = e.status ?? (e.name === 'AggregateAjvError' || e.name === 'ValidationError' ? 400 : 500)
  return {
    status,
    retryable: isRetryableStatus(status),
    errortype: e.code ?? e.name ?? 'UNKNOWN_ERROR',
    errormessage: e.message ?? String(error)
  }
}

function multistatusResult(node: Record<string, unknown>): EventResult {
  const status = Number(node.status ?? 500)
  if (status >= 200 && status < 300) return { status, retryable: false, body: node.body }
  return {
    status,
    retryable: isRetryableStatus(status),
    errortype: node.errortype as string | undefined,
    errormessage: node.errormessage as string | undefined
  }
}

/** The Qualtrics exchanges a call made, with credentials replaced. */
function summarizeRequests(responses: ModifiedResponse[]): unknown[] {
  return responses.map((response) => {
    const r = response as ModifiedResponse & { request?: Request; options?: { json?: unknown; body?: unknown } }
    const headers: Record<string, string> = {}
    r.request?.headers.forEach((value, name) => {
      headers[name] = ['x-api-token', 'authorization'].includes(name) ? '[redacted]' : value
    })
    let body: unknown = r.options?.json
    if (body === undefined && typeof r.options?.body === 'string') {
      try {
        body = JSON.parse(r.options.body)
      } catch {
        body = r.options.body
      }
    }
    return {
      request: { method: r.request?.method, url: r.request?.url, headers, body },
      response: { status: r.status, body: r.data }
    }
  })
}

/** Replaces every secret anywhere in the text: no response or log line carries a token. */
function redact(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join('[redacted]'), text)
}

function asEvents(body: unknown): SegmentEvent[] {
  const list = isPlainObject(body) && Array.isArray(body.batch) ? body.batch : Array.isArray(body) ? body : [body]
  if (list.length === 0)
    throw new BadRequest(400, 'No events: send one Segment event, an array of them, or {"batch": [...]}.')
  list.forEach((event, i) => {
    if (!isPlainObject(event) || typeof event.type !== 'string') {
      throw new BadRequest(400, `Event ${i} is not a Segment event: it needs a "type" (identify, track, …).`)
    }
  })
  return list as SegmentEvent[]
}

/**
 * The monorepo CLI's `serve`, route for route (GET /manifest, POST /authenticate, POST /{action},
 * POST /{action}/{field}), plus POST /events, which runs Segment events through the presets' triggers the way
 * Segment's runtime does. Every call gets its own Destination, so the Qualtrics requests it reports are its own.
 */
export function createLocalServer(options: LocalServerOptions = {}): Server {
  const definition = options.definition ?? (qualtrics as AnyDefinition)
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES
  const log = options.log ?? (() => undefined)
  const baseSettings = options.settings ?? {}
  const actionSlugs = Object.keys(definition.actions)

  const secretsOf = (settings: Settings) =>
    [baseSettings.apiToken, settings.apiToken].filter((s): s is string => typeof s === 'string')

  const withLocalDefaults = (slug: string, mapping: Record<string, unknown>): Record<string, unknown> => {
    const fields = definition.actions[slug].fields
    const out = { ...defaultValues(fields), ...mapping }
    const localDefaults = { ...options.mappingDefaults, ...options.actionMappingDefaults?.[slug] }
    for (const [key, value] of Object.entries(localDefaults)) {
      if (key in fields && out[key] === undefined) out[key] = value
    }
    return out
  }

  const settingsFrom = (given: unknown): Settings => {
    if (given !== undefined && !isPlainObject(given)) throw new BadRequest(400, '"settings" must be an object.')
    const settings = { ...baseSettings, ...(given ?? {}) }
    const missing = Object.entries(definition.authentication?.fields ?? {})
      .filter(([key, field]) => field.required && (settings[key] === undefined || settings[key] === ''))
      .map(([key]) => key)
    if (missing.length > 0) {
      throw new BadRequest(
        400,
        `Settings are missing ${missing.join(', ')}: pass "settings" in the body, or start the server with the sandbox (the default) or with QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER.`
      )
    }
    return settings
  }

  const subscriptions = (): LocalSubscription[] => [
    ...(definition.presets ?? [])
      .filter((p): p is typeof p & { subscribe: string; partnerAction: string } => 'subscribe' in p && !!p.subscribe)
      .map((p) => ({
        name: p.name ?? p.partnerAction,
        subscribe: p.subscribe,
        partnerAction: p.partnerAction,
        mapping: withLocalDefaults(p.partnerAction, (p.mapping ?? {}) as Record<string, unknown>)
      })),
    ...(options.extraSubscriptions ?? []).map((s) => ({ ...s, mapping: withLocalDefaults(s.partnerAction, s.mapping) }))
  ]

  async function runAction(slug: string, body: unknown) {
    if (!isPlainObject(body))
      throw new BadRequest(400, 'Body must be an object: {"payload": …, "settings": …, "mapping": …}.')
    const { payload, mapping } = body
    if (payload === undefined || payload === null) {
      throw new BadRequest(400, '"payload" is missing: give a Segment event, or an array of events for the batch path.')
    }
    if (mapping !== undefined && !isPlainObject(mapping)) throw new BadRequest(400, '"mapping" must be an object.')
    const settings = settingsFrom(body.settings)
    const destination = new Destination(definition)
    const action = destination.actions[slug]
    const fullMapping = withLocalDefaults(slug, mapping ?? {}) as JSONObject
    const auth = undefined
    let results: EventResult[]
    if (Array.isArray(payload)) {
      try {
        const nodes = await action.executeBatch({ data: payload as JSONObject[], mapping: fullMapping, settings, auth })
        results = (nodes as unknown as Record<string, unknown>[]).map(multistatusResult)
      } catch (error) {
        results = payload.map(() => errorResult(error))
      }
    } else {
      try {
        const output = await action.execute({ data: payload as JSONObject, mapping: fullMapping, settings, auth })
        results = [{ status: 200, retryable: false, body: output.at(-1)?.data }]
      } catch (error) {
        results = [errorResult(error)]
      }
    }
    return { secrets: secretsOf(settings), body: { results, requests: summarizeRequests(destination.responses) } }
  }

  async function runEvents(body: unknown) {
    const events = asEvents(body)
    const settings = settingsFrom(undefined)
    const destination = new Destination(definition)
    const perEvent: Array<Array<EventResult & { action: string; subscription: string }>> = events.map(() => [])
    // One subscription at a time: Segment's runtime would reject the whole call at the first throwing subscription.
    for (const sub of subscriptions()) {
      const subscription = { subscribe: sub.subscribe, partnerAction: sub.partnerAction, mapping: sub.mapping }
      const tag = { action: sub.partnerAction, subscription: sub.name }
      if (events.length === 1 && !Array.isArray(body) && !(isPlainObject(body) && Array.isArray(body.batch))) {
        try {
          const output = await destination.onEvent(events[0], { ...settings, subscription } as JSONObject)
          if (output[0]?.output === 'not subscribed') continue
          perEvent[0].push({ ...tag, status: 200, retryable: false, body: output.at(-1)?.data })
        } catch (error) {
          perEvent[0].push({ ...tag, ...errorResult(error) })
        }
        continue
      }
      try {
        const output = await destination.onBatch(events, { ...settings, subscription } as JSONObject)
        const multistatus = (output[0] as { multistatus?: Record<string, unknown>[] })?.multistatus
        if (!multistatus) continue
        multistatus.forEach((node, i) => {
          // Events the trigger does not select come back as 400 "does not match": not a delivery, so not listed.
          if (String(node?.errormessage ?? '').includes('does not match the subscription')) return
          perEvent[i].push({ ...tag, ...multistatusResult(node) })
        })
      } catch (error) {
        events.forEach((_, i) => perEvent[i].push({ ...tag, ...errorResult(error) }))
      }
    }
    const results = events.map((event, i) => ({
      messageId: event.messageId,
      type: event.type,
      event: event.event,
      deliveries: perEvent[i]
    }))
    return { secrets: secretsOf(settings), body: { results, requests: summarizeRequests(destination.responses) } }
  }

  async function route(req: IncomingMessage): Promise<{ status: number; body: unknown; secrets?: string[] }> {
    const path = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '') || '/'
    const method = req.method ?? 'GET'
    const parts = path.split('/').filter(Boolean)
    const expect = (allowed: string) => {
      if (method !== allowed) throw new BadRequest(405, `${path} takes ${allowed}, not ${method}.`)
    }

    if (path === '/') {
      expect('GET')
      return {
        status: 200,
        body: {
          destination: definition.name,
          routes: [
            'GET /manifest',
            'POST /authenticate',
            'POST /events',
            ...actionSlugs.map((slug) => `POST /${slug}`),
            ...actionSlugs.flatMap((slug) =>
              Object.keys(definition.actions[slug].dynamicFields ?? {}).map((field) => `POST /${slug}/${field}`)
            )
          ]
        }
      }
    }
    if (path === '/manifest') {
      expect('GET')
      return { status: 200, body: { ...JSON.parse(JSON.stringify(definition)), directoryName: 'qualtrics' } }
    }
    if (path === '/authenticate') {
      expect('POST')
      const body = await readJsonBody(req, bodyLimit)
      const settings = settingsFrom(body)
      try {
        await new Destination(definition).testAuthentication(settings)
        return { status: 200, body: { ok: true }, secrets: secretsOf(settings) }
      } catch (error) {
        return { status: 200, body: { ok: false, error: (error as Error).message }, secrets: secretsOf(settings) }
      }
    }
    if (path === '/events') {
      expect('POST')
      const { body, secrets } = await runEvents(await readJsonBody(req, bodyLimit))
      return { status: 200, body, secrets }
    }
    const slug = parts[0]
    if (!slug || !actionSlugs.includes(slug) || parts.length > 2) {
      throw new BadRequest(
        404,
        `No route ${method} ${path}. Actions: ${actionSlugs.join(', ')}; see GET / for every route.`
      )
    }
    expect('POST')
    const body = await readJsonBody(req, bodyLimit)
    if (parts.length === 1) {
      const { body: out, secrets } = await runAction(slug, body)
      return { status: 200, body: out, secrets }
    }
    const field = parts[1]
    const action = new Destination(definition).actions[slug]
    if (!(field in (action.definition.dynamicFields ?? {}))) {
      throw new BadRequest(404, `Action ${slug} has no dynamic field "${field}".`)
    }
    const given = isPlainObject(body) ? body : {}
    const settings = settingsFrom(given.settings)
    const payload = withLocalDefaults(slug, isPlainObject(given.payload) ? given.payload : {})
    const result = await action.executeDynamicField(field, {
      settings,
      payload,
      page: given.page as string | undefined
    })
    return { status: result.error ? 502 : 200, body: result, secrets: secretsOf(settings) }
  }

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint()
    let secrets = secretsOf({})
    const finish = (status: number, body: unknown) => {
      sendJson(res, status, JSON.parse(redact(JSON.stringify(body) ?? 'null', secrets)))
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      log(redact(`${req.method} ${req.url} ${status} ${ms.toFixed(0)}ms`, secrets))
    }
    route(req)
      .then((out) => {
        secrets = [...secrets, ...(out.secrets ?? [])]
        finish(out.status, out.body)
      })
      .catch((error: unknown) => {
        if (error instanceof BadRequest) return finish(error.status, { error: error.message })
        finish(500, { error: `Internal error: ${(error as Error).message}` })
      })
  })
}

/** Starts the server on 127.0.0.1 (never another interface); port 0 picks a free one. */
export async function startLocalServer(
  options: LocalServerOptions & { port?: number } = {}
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createLocalServer(options)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
