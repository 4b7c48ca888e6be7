import type { IncomingMessage, ServerResponse } from 'node:http'
import { RESPONSES_ROUTE } from '../sources/qualtrics-responses'
import { CONSOLE_API_ROUTES, responsesOff } from './console/api'
import { answerConsole, isConsoleRequest } from './console/routes'
import type { ServerContext } from './context'
import { isSent } from './http/answer'
import type { Answer, Reply } from './http/answer'
import { BadRequest, pathOf } from './http/body'
import type { RequestHandler } from './http/listener'
import { guardRequest } from './http/request-guard'
import { answerSegmentRoute, segmentRoutes } from './segment/routes'
import { EVENTS_RECEIVED } from './stats'
import { BROWSER_SDK_ROUTES, TRACKING_ROUTES } from './tracking'

/** GET / (JSON): every route of every room. */
function index(ctx: ServerContext): Reply {
  const { tracking, responses } = ctx.services
  const routes = [
    ...segmentRoutes(ctx),
    ...(tracking ? Object.keys({ ...TRACKING_ROUTES, ...BROWSER_SDK_ROUTES }).map((path) => `POST ${path}`) : []),
    `GET ${CONSOLE_API_ROUTES.deliveries}`,
    `GET ${CONSOLE_API_ROUTES.stats}`,
    `GET ${CONSOLE_API_ROUTES.queues}`,
    ...(responses ? [`POST ${RESPONSES_ROUTE}`, `GET ${RESPONSES_ROUTE}`, `GET ${CONSOLE_API_ROUTES.responses}`] : [])
  ]
  return { status: 200, body: { destination: ctx.definition.name, routes } }
}

/** POST (or GET) /qualtrics/responses: the receiver answers its callbacks itself; a 404 saying how when it is off. */
async function answerResponses(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, headers: object) {
  const responses = ctx.services.responses
  if (!responses) throw new BadRequest(404, responsesOff())
  const sent = await responses.handle(req, res, headers as Record<string, string>)
  // A callback answered 2xx was a survey response received (whatever became of it); GET is Qualtrics' probe.
  return { sent, received: req.method === 'POST' && sent >= 200 && sent < 300 ? 1 : 0 }
}

/** The room that answers `path`: decided from the path alone, so no room is tried and left. */
async function answerByRoom(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, headers: object) {
  const path = pathOf(req)
  if (path === '/' && !isConsoleRequest(req, path)) {
    if (req.method !== 'GET') throw new BadRequest(405, `/ takes GET, not ${req.method}.`)
    return index(ctx)
  }
  if (path.startsWith('/v1/') && ctx.services.tracking) {
    const reply = await ctx.services.tracking.answer(req, path)
    if (reply) return reply
  }
  if (path === RESPONSES_ROUTE) return answerResponses(ctx, req, res, headers)
  if (isConsoleRequest(req, path)) return answerConsole(ctx, req, res, path)
  return answerSegmentRoute(ctx, req, path)
}

function failure(error: unknown): Reply {
  if (error instanceof BadRequest) return { status: error.status, body: { error: error.message } }
  return { status: 500, body: { error: `Internal error: ${(error as Error)?.message ?? 'unknown'}` } }
}

/**
 * One request, from the guard to the room that answers it: the request guard (http/request-guard.ts), then by
 * path the tracking API (/v1/*), the responses receiver, the console (the page, /console/*) or the Segment-facing
 * routes (segment/routes.ts). Every answer leaves with the guard's headers and a redactor (the request's own, or
 * the server's), and the events it brought in are counted by path.
 */
export function createRouter(ctx: ServerContext): RequestHandler {
  return async (req, res, port) => {
    let headers: Record<string, string> = {}
    let answer: Answer
    try {
      const decision = guardRequest(req, port, ctx.sdkOrigins)
      headers = decision.headers
      answer = decision.answer ?? (await answerByRoom(ctx, req, res, headers))
    } catch (error) {
      answer = failure(error)
    }
    if (answer.received) ctx.stats.incr(EVENTS_RECEIVED, answer.received, [`path:${pathOf(req)}`])
    const redactor = answer.redactor ?? ctx.redactor()
    return isSent(answer)
      ? { ...answer, redactor }
      : { ...answer, headers: { ...headers, ...answer.headers }, redactor }
  }
}
