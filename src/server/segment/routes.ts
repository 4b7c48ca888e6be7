import type { IncomingMessage } from 'node:http'
import { Destination } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import type { ServerContext } from '../context'
import type { Reply } from '../http/answer'
import { BadRequest, isPlainObject, readJsonBody } from '../http/body'
import { answerAction } from './action-route'
import { answerAudience, audienceRoutesOf, isAudienceRoute } from './audience-route'
import { answerEvents } from './events-route'
import { errorResult } from './results'

/** The routes of this room, as GET / lists them. */
export function segmentRoutes(ctx: ServerContext): string[] {
  const { definition, actionSlugs } = ctx
  const dynamicFieldRoutes = actionSlugs.flatMap((slug) =>
    Object.keys(definition.actions[slug].dynamicFields ?? {}).map((field) => `POST /${slug}/${field}`)
  )
  return [
    'GET /manifest',
    'POST /authenticate',
    'POST /events',
    ...actionSlugs.map((slug) => `POST /${slug}`),
    ...dynamicFieldRoutes,
    ...(definition.onDelete ? ['POST /delete'] : []),
    ...audienceRoutesOf(definition).map((path) => `POST ${path}`)
  ]
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
async function authenticate(ctx: ServerContext, body: unknown): Promise<Reply> {
  const configured = body === undefined || (isPlainObject(body) && Object.keys(body).length === 0)
  const { settings, redactor } = ctx.settingsFrom(configured ? undefined : body, !configured)
  const used = configured ? { settingsUsed: { source: 'configured', ...describeSettings(ctx, settings) } } : {}
  try {
    await new Destination(ctx.definition).testAuthentication(settings)
    return { status: 200, body: { ok: true, ...used }, redactor }
  } catch (error) {
    return { status: 200, body: { ok: false, error: (error as Error).message, ...used }, redactor }
  }
}

async function dynamicField(ctx: ServerContext, slug: string, field: string, body: unknown): Promise<Reply> {
  const action = new Destination(ctx.definition).actions[slug]
  // Own keys only: "constructor" or "toString" is not a dynamic field.
  if (!Object.hasOwn(action.definition.dynamicFields ?? {}, field)) {
    throw new BadRequest(404, `Action ${slug} has no dynamic field "${field}".`)
  }
  const given = isPlainObject(body) ? body : {}
  const { settings, redactor } = ctx.settingsFrom(given.settings)
  const payload = ctx.withLocalDefaults(slug, isPlainObject(given.payload) ? given.payload : {})
  const result = await action.executeDynamicField(field, { settings, payload, page: given.page as string | undefined })
  return { status: result.error ? 502 : 200, body: result, redactor }
}

/**
 * POST /delete, as the CLI's serve has it when the destination defines onDelete: {payload: {userId, anonymousId},
 * settings?}. Always a 200 (as there), saying whether the deletion succeeded, with its result or its error.
 */
async function deleteUser(ctx: ServerContext, given: unknown): Promise<Reply> {
  if (given !== undefined && !isPlainObject(given)) {
    throw new BadRequest(400, 'Body must be an object: {"payload": {"userId": …, "anonymousId": …}, "settings": …}.')
  }
  const payload = given?.payload ?? {}
  if (!isPlainObject(payload))
    throw new BadRequest(400, '"payload" must be an object: {"userId": …, "anonymousId": …}.')
  const { settings, redactor } = ctx.settingsFrom(given?.settings)
  try {
    const result = await new Destination(ctx.definition).onDelete?.(
      payload as unknown as SegmentEvent,
      settings as JSONObject
    )
    return { status: 200, body: { ok: true, result }, redactor }
  } catch (error) {
    return { status: 200, body: { ok: false, ...errorResult(error) }, redactor }
  }
}

/**
 * The Segment-facing routes: the monorepo CLI's `serve`, route for route (GET /manifest, POST /authenticate,
 * POST /{action}, POST /{action}/{field}, POST /delete, the audience routes), plus POST /events. Each answer carries
 * the redactor of the settings it ran with.
 */
export async function answerSegmentRoute(ctx: ServerContext, req: IncomingMessage, path: string): Promise<Reply> {
  const method = req.method ?? 'GET'
  const parts = path.split('/').filter(Boolean)
  const expect = (allowed: string) => {
    if (method !== allowed) throw new BadRequest(405, `${path} takes ${allowed}, not ${method}.`)
  }
  const body = () => readJsonBody(req, ctx.bodyLimit)

  if (path === '/manifest') {
    expect('GET')
    return { status: 200, body: { ...JSON.parse(JSON.stringify(ctx.definition)), directoryName: 'qualtrics' } }
  }
  if (path === '/authenticate') {
    expect('POST')
    return authenticate(ctx, await body())
  }
  if (path === '/events') {
    expect('POST')
    return answerEvents(ctx, await body())
  }
  if (path === '/delete' && ctx.definition.onDelete) {
    expect('POST')
    return deleteUser(ctx, await body())
  }
  if (isAudienceRoute(ctx.definition, path)) {
    expect('POST')
    return answerAudience(ctx, path, await body())
  }
  const slug = parts[0]
  if (!slug || !ctx.actionSlugs.includes(slug) || parts.length > 2) {
    throw new BadRequest(
      404,
      `No route ${method} ${path}. Actions: ${ctx.actionSlugs.join(', ')}; see GET / for every route.`
    )
  }
  expect('POST')
  if (parts.length === 1) return answerAction(ctx, slug, await body())
  return dynamicField(ctx, slug, parts[1], await body())
}
