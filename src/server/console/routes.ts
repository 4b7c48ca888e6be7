import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { redactValue } from '../../destinations/qualtrics'
import type { ServerContext } from '../context'
import { BadRequest, sendJson } from '../http-utils'
import { proxySandbox } from './sandbox-proxy'
import { CONSOLE_CSP, isConsoleAsset, sendAsset } from './static'

/** GET /console/api/queues: each durable queue's folder, counts and unreadable records set aside. */
export const QUEUES_ROUTE = '/console/api/queues'

/** The examples/ events the tester offers as samples (the seed file is not an event). */
const EXAMPLE_EVENTS = ['identify', 'transaction-created', 'survey-completed']
const EXAMPLES_FOLDER = join(__dirname, '..', '..', '..', 'examples')

/** Browsers ask for HTML; curl, scripts and the tests ask for anything, and keep getting the JSON route list. */
function wantsHtml(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/html')
}

async function exampleEvents(): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    EXAMPLE_EVENTS.map(async (name) => [
      name,
      JSON.parse(await readFile(join(EXAMPLES_FOLDER, `${name}.json`), 'utf8'))
    ])
  )
  return Object.fromEntries(entries)
}

function sendApi(res: ServerResponse, ctx: ServerContext, status: number, body: unknown): void {
  sendJson(res, status, redactValue(body, ctx.baseSecrets), {
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store'
  })
}

function expectGet(req: IncomingMessage, path: string): void {
  if (req.method !== 'GET') throw new BadRequest(405, `${path} takes GET, not ${req.method}.`)
}

/**
 * The local console (docs/console.md): `GET /` for a browser, its static files under /console/, and the
 * /console/api/* routes it needs beyond the server's own. Answers and returns true for those; false for every
 * other request, which the server routes as before. `path` is the request target as sent (path and query).
 */
export async function serveConsole(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: ServerContext
): Promise<boolean> {
  let pathname: string
  try {
    pathname = new URL(path, 'http://local').pathname
  } catch {
    return false // the server's own routing answers a target that is not a path
  }
  if (pathname === '/' && req.method === 'GET' && wantsHtml(req)) {
    await sendAsset(res, 'index.html')
    return true
  }
  if (!pathname.startsWith('/console/')) return false
  const name = pathname.slice('/console/'.length)
  if (name.startsWith('api/sandbox/')) {
    const sandbox = ctx.sandboxUrl ? { url: ctx.sandboxUrl, key: ctx.sandboxKey ?? '' } : undefined
    const answer = await proxySandbox(req, name.slice('api/sandbox/'.length), sandbox, ctx.bodyLimit)
    sendApi(res, ctx, answer.status, answer.body)
    return true
  }
  if (name === 'api/examples') {
    expectGet(req, pathname)
    sendApi(res, ctx, 200, { examples: await exampleEvents() })
    return true
  }
  if (pathname === QUEUES_ROUTE) {
    expectGet(req, pathname)
    sendApi(res, ctx, 200, { queues: ctx.queues?.() ?? [] })
    return true
  }
  // The delivery log (GET /console/api/deliveries) belongs to the tracking queue and is mounted with it.
  if (name.startsWith('api/')) return false
  if (!isConsoleAsset(name)) throw new BadRequest(404, `No console file ${pathname}.`)
  expectGet(req, pathname)
  await sendAsset(res, name)
  return true
}
