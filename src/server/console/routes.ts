import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from '../context'
import type { Answer, Reply } from '../http/answer'
import { BadRequest } from '../http/body'
import { consoleApiBody, isConsoleApiRoute } from './api'
import { proxySandbox, SANDBOX_PROXY_PREFIX } from './sandbox-proxy'
import { CONSOLE_CSP, isConsoleAsset, sendAsset } from './static'

const API_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store'
}

/** Browsers ask for HTML; curl, scripts and the tests ask for anything, and keep getting the JSON route list. */
export function wantsHtml(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/html')
}

/** The requests this room answers: the page (`GET /` from a browser) and everything under /console/. */
export const isConsoleRequest = (req: IncomingMessage, path: string): boolean =>
  path.startsWith('/console/') || (path === '/' && req.method === 'GET' && wantsHtml(req))

function expectGet(req: IncomingMessage, path: string): void {
  if (req.method !== 'GET') throw new BadRequest(405, `${path} takes GET, not ${req.method}.`)
}

/**
 * The local console (docs/console.md): `GET /` for a browser, its static files under /console/, its API
 * (/console/api/…, api.ts) and the sandbox proxy (/console/api/sandbox/…). Answers are redacted of the server's own
 * secrets (the sandbox's state holds its token).
 */
export async function answerConsole(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string
): Promise<Answer> {
  const reply = (status: number, body: unknown): Reply => ({
    status,
    body,
    headers: API_HEADERS,
    redactor: ctx.redactor()
  })
  if (path === '/') return { sent: await sendAsset(res, 'index.html') }
  if (path.startsWith(SANDBOX_PROXY_PREFIX)) {
    const name = path.slice(SANDBOX_PROXY_PREFIX.length)
    const answer = await proxySandbox(req, name, ctx.sandbox, ctx.bodyLimit)
    // A reset sandbox holds nothing: "already delivered" must not refer to what it held (as at a fresh start).
    if (name === 'reset' && answer.status === 200) await ctx.services.tracking?.forgetFinished()
    return reply(answer.status, answer.body)
  }
  if (path.startsWith('/console/api/')) {
    if (!isConsoleApiRoute(path)) throw new BadRequest(404, `No console route ${path}: see GET / for every route.`)
    expectGet(req, path)
    return reply(200, await consoleApiBody(ctx, path, new URL(req.url ?? '/', 'http://local').searchParams))
  }
  const name = path.slice('/console/'.length)
  if (!isConsoleAsset(name)) throw new BadRequest(404, `No console file ${path}.`)
  expectGet(req, path)
  return { sent: await sendAsset(res, name) }
}
