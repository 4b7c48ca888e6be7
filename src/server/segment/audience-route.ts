import { Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import type { AnyDefinition, ServerContext } from '../context'
import type { Reply } from '../http/answer'
import { BadRequest, isPlainObject } from '../http/body'
import { errorResult } from './results'

export const AUDIENCE_ROUTES = ['/createAudience', '/getAudience'] as const
type AudienceRoute = (typeof AUDIENCE_ROUTES)[number]

/** The audience routes a definition has: both when it creates and reads audiences (as the CLI's serve decides). */
export function audienceRoutesOf(definition: AnyDefinition): AudienceRoute[] {
  const config = (definition as { audienceConfig?: { createAudience?: unknown; getAudience?: unknown } }).audienceConfig
  return AUDIENCE_ROUTES.filter((path) =>
    path === '/createAudience'
      ? typeof config?.createAudience === 'function'
      : typeof config?.getAudience === 'function'
  )
}

export const isAudienceRoute = (definition: AnyDefinition, path: string): path is AudienceRoute =>
  (audienceRoutesOf(definition) as string[]).includes(path)

function checkBody(path: AudienceRoute, body: unknown): Record<string, unknown> {
  const shape =
    path === '/createAudience'
      ? '{"audienceName": …, "audienceSettings": {"directoryId": …, "mailingListId"?: …}, "settings"?: …, "personas"?: …}'
      : '{"externalId": …, "audienceSettings"?: …, "settings"?: …}'
  if (!isPlainObject(body)) throw new BadRequest(400, `Body must be an object: ${shape}.`)
  for (const key of ['audienceSettings', 'personas']) {
    if (body[key] !== undefined && !isPlainObject(body[key])) throw new BadRequest(400, `"${key}" must be an object.`)
  }
  const text = path === '/createAudience' ? 'audienceName' : 'externalId'
  if (typeof body[text] !== 'string') throw new BadRequest(400, `"${text}" must be a string: ${shape}.`)
  return body
}

/**
 * POST /createAudience and POST /getAudience, as the monorepo CLI's `serve` has them: the body is actions-core's
 * input (settings, audience settings, and the audience's name or external id), the answer `{ externalId }`, or a 400
 * `{ ok: false, error }`, here with the status Segment would see and whether it would retry. Settings a request
 * leaves out come from the server's own (the sandbox's, or the environment's).
 */
export async function answerAudience(ctx: ServerContext, path: AudienceRoute, body: unknown): Promise<Reply> {
  const given = checkBody(path, body)
  const { settings, redactor } = ctx.settingsFrom(given.settings)
  const destination = new Destination(ctx.definition)
  const common = { settings, audienceSettings: given.audienceSettings as JSONObject | undefined }
  try {
    const result =
      path === '/createAudience'
        ? await destination.createAudience({
            ...common,
            audienceName: given.audienceName as string,
            ...(given.personas ? { personas: given.personas as never } : {})
          })
        : await destination.getAudience({ ...common, externalId: given.externalId as string })
    return { status: 200, body: result, redactor }
  } catch (error) {
    const { status, retryable, errortype, errormessage } = errorResult(error)
    return { status: 400, body: { ok: false, error: errormessage, status, retryable, errortype }, redactor }
  }
}
