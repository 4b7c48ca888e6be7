import type { IncomingMessage } from 'node:http'
import { Destination } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { audienceRoutesOf, isAudienceRoute, runAudienceRoute } from './audience-routes'
import { DELIVERIES_ROUTE, listDeliveries } from './console-api'
import type { ServerContext } from './context'
import { runAction, runEvents } from './event-runner'
import { BadRequest, isPlainObject, readJsonBody } from './http-utils'
import { errorResult } from './results'
import { listStats, STATS_ROUTE } from './stats-api'
import { TRACKING_ROUTES } from './tracking'
import { RESPONSES_CONSOLE_ROUTE, listResponses } from './responses-console'
import { RESPONSES_ROUTE } from '../sources/qualtrics-responses'

export interface RouteResult {
  status: number
  /** None for a 204. */
  body?: unknown
}

function index(ctx: ServerContext): RouteResult {
  const { definition, actionSlugs } = ctx
  const dynamicFieldRoutes = actionSlugs.flatMap((slug) =>
    Object.keys(definition.actions[slug].dynamicFields ?? {}).map((field) => `POST /${slug}/${field}`)
  )
  return {
    status: 200,
    body: {
      destination: definition.name,
      routes: [
        'GET /manifest',
        'POST /authenticate',
        'POST /events',
        ...actionSlugs.map((slug) => `POST /${slug}`),
        ...dynamicFieldRoutes,
        ...(definition.onDelete ? ['POST /delete'] : []),
        ...audienceRoutesOf(definition).map((path) => `POST ${path}`),
        ...(ctx.tracking ? Object.keys(TRACKING_ROUTES).map((path) => `POST ${path}`) : []),
        `GET ${DELIVERIES_ROUTE}`,
        `GET ${STATS_ROUTE}`,
        ...(ctx.responses
          ? [`POST ${RESPONSES_ROUTE}`, `GET ${RESPONSES_ROUTE}`, `GET ${RESPONSES_CONSOLE_ROUTE}`]
          : [])
      ]
    }
  }
}

/** Which settings a test used, without their values: the datacenter and the names of the credentials set. */
function describeSettings(ctx: ServerContext, settings: Record<string, unknown>) {
  const credentials = Object.keys(ctx.definition.authentication?.fields ?? {}).filter(
    (key) => key !== 'datacenter' && settings[key] !== undefined && settings[key] !== ''
  )
  return { datacenter: settings.datacenter, credentials }
}

/**
 * Test connection with exactly the settings in the body; an empty body tests the server's own settings and says
 * which were used (never their values).
 */
async function authenticate(ctx: ServerContext, body: unknown, secrets: string[]): Promise<RouteResult> {
  const configured = body === undefined || (isPlainObject(body) && Object.keys(body).length === 0)
  const settings = ctx.settingsFrom(configured ? undefined : body, secrets, !configured)
  const used = configured ? { settingsUsed: { source: 'configured', ...describeSettings(ctx, settings) } } : {}
  try {
    await new Destination(ctx.definition).testAuthentication(settings)
    return { status: 200, body: { ok: true, ...used } }
  } catch (error) {
    return { status: 200, body: { ok: false, error: (error as Error).message, ...used } }
  }
}

async function dynamicField(
  ctx: ServerContext,
  slug: string,
  field: string,
  body: unknown,
  secrets: string[]
): Promise<RouteResult> {
  const action = new Destination(ctx.definition).actions[slug]
  // Own keys only: "constructor" or "toString" is not a dynamic field.
  if (!Object.hasOwn(action.definition.dynamicFields ?? {}, field)) {
    throw new BadRequest(404, `Action ${slug} has no dynamic field "${field}".`)
  }
  const given = isPlainObject(body) ? body : {}
  const settings = ctx.settingsFrom(given.settings, secrets)
  const payload = ctx.withLocalDefaults(slug, isPlainObject(given.payload) ? given.payload : {})
  const result = await action.executeDynamicField(field, { settings, payload, page: given.page as string | undefined })
  return { status: result.error ? 502 : 200, body: result }
}

export function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '') || '/'
  } catch {
    throw new BadRequest(400, `"${req.url}" is not a path: ask for a route GET / lists.`)
  }
}

/**
 * The monorepo CLI's `serve`, route for route (GET /manifest, POST /authenticate, POST /{action},
 * POST /{action}/{field}), plus POST /events. Every token a request's settings use is added to `secrets`, so that
 * whatever the route answers or throws is redacted of it.
 */
export async function route(ctx: ServerContext, req: IncomingMessage, secrets: string[]): Promise<RouteResult> {
  const path = pathOf(req)
  const method = req.method ?? 'GET'
  const parts = path.split('/').filter(Boolean)
  const expect = (allowed: string) => {
    if (method !== allowed) throw new BadRequest(405, `${path} takes ${allowed}, not ${method}.`)
  }
  const body = () => readJsonBody(req, ctx.bodyLimit)

  if (path === '/') {
    expect('GET')
    return index(ctx)
  }
  if (path === '/manifest') {
    expect('GET')
    return { status: 200, body: { ...JSON.parse(JSON.stringify(ctx.definition)), directoryName: 'qualtrics' } }
  }
  if (path === '/authenticate') {
    expect('POST')
    return authenticate(ctx, await body(), secrets)
  }
  if (path === '/events') {
    expect('POST')
    return { status: 200, body: await runEvents(ctx, await body(), secrets) }
  }
  // POST /delete, as the CLI's serve has it when the destination defines onDelete: {payload: {userId, anonymousId},
  // settings?}. Always a 200 (as there), saying whether the deletion succeeded, with its result or its error.
  if (path === '/delete' && ctx.definition.onDelete) {
    expect('POST')
    const given = await body()
    if (given !== undefined && !isPlainObject(given)) {
      throw new BadRequest(400, 'Body must be an object: {"payload": {"userId": …, "anonymousId": …}, "settings": …}.')
    }
    const payload = given?.payload ?? {}
    if (!isPlainObject(payload))
      throw new BadRequest(400, '"payload" must be an object: {"userId": …, "anonymousId": …}.')
    const settings = ctx.settingsFrom(given?.settings, secrets) as JSONObject
    try {
      const result = await new Destination(ctx.definition).onDelete?.(payload as unknown as SegmentEvent, settings)
      return { status: 200, body: { ok: true, result } }
    } catch (error) {
      return { status: 200, body: { ok: false, ...errorResult(error) } }
    }
  }
  if (isAudienceRoute(ctx, path)) {
    expect('POST')
    return runAudienceRoute(ctx, path, await body(), secrets)
  }
  if (path === DELIVERIES_ROUTE) return listDeliveries(ctx.deliveryLog, req)
  if (path === STATS_ROUTE) return listStats(ctx.stats, req)
  if (path === RESPONSES_ROUTE || path === RESPONSES_CONSOLE_ROUTE) return listResponses(ctx.responses, req, path)
  const slug = parts[0]
  if (!slug || !ctx.actionSlugs.includes(slug) || parts.length > 2) {
    throw new BadRequest(
      404,
      `No route ${method} ${path}. Actions: ${ctx.actionSlugs.join(', ')}; see GET / for every route.`
    )
  }
  expect('POST')
  if (parts.length === 1) return { status: 200, body: await runAction(ctx, slug, await body(), secrets) }
  return dynamicField(ctx, slug, parts[1], await body(), secrets)
}
