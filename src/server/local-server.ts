import { createServer, STATUS_CODES } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { redactText, redactValue } from '../destinations/qualtrics'
import { serveConsole } from './console/routes'
import { createServerContext } from './context'
import type { LocalServerOptions, ServerContext } from './context'
import { BadRequest, sendJson } from './http-utils'
import { RESPONSES_ROUTE } from '../sources/qualtrics-responses'
import { guardRequest } from './request-guard'
import { pathOf, route } from './routes'
import type { RouteResult } from './routes'

export { DEFAULT_BODY_LIMIT_BYTES, type LocalServerOptions, type LocalSubscription } from './context'
export type { EventResult } from './results'

const ignore = () => undefined

function failure(error: unknown): RouteResult {
  if (error instanceof BadRequest) return { status: error.status, body: { error: error.message } }
  return { status: 500, body: { error: `Internal error: ${(error as Error)?.message ?? 'unknown'}` } }
}

/**
 * Sends the answer with every secret replaced, in the structure rather than in JSON text, so that no token (however
 * odd) can change or break what is sent. An answer JSON cannot hold (too deep, circular) becomes a plain 500.
 */
function respond(res: ServerResponse, answer: RouteResult, headers: Record<string, string>, secrets: string[]) {
  if (res.headersSent || res.destroyed) return
  let { status, body } = answer
  try {
    body = body === undefined ? undefined : redactValue(JSON.parse(JSON.stringify(body) ?? 'null'), secrets)
  } catch (error) {
    status = 500
    body = { error: `Internal error: the answer could not be written as JSON (${redactText(String(error), secrets)}).` }
  }
  sendJson(res, status, body, headers)
}

/** The tracking API answers its own routes (and logs them); false when the request is not one of them. */
async function handledByTracking(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, headers: object) {
  if (!ctx.tracking) return false
  const path = pathOf(req)
  if (!path.startsWith('/v1/')) return false
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  return ctx.tracking(req, res, path)
}

/** POST /qualtrics/responses, when the receiver is configured: it answers (and logs) its own callbacks. */
async function handledByResponses(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, headers: object) {
  if (!ctx.responses || pathOf(req) !== RESPONSES_ROUTE) return undefined
  return ctx.responses.handle(req, res, headers as Record<string, string>)
}

/** Answers one request; returns the line to log, or undefined when the tracking API answered (and logged) it. */
async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, port: number | undefined) {
  const started = process.hrtime.bigint()
  const secrets = [...ctx.baseSecrets]
  let headers: Record<string, string> = {}
  let answer: RouteResult
  try {
    const decision = guardRequest(req, port)
    headers = decision.headers
    if (!decision.answer && (await handledByTracking(ctx, req, res, headers))) return undefined
    const callback = decision.answer ? undefined : await handledByResponses(ctx, req, res, headers)
    if (callback !== undefined) return `${req.method} ${pathOf(req)} ${callback}`
    if (!decision.answer && (await serveConsole(req, res, req.url ?? '/', ctx)))
      return redactText(`${req.method} ${req.url} ${res.statusCode}`, secrets)
    answer = decision.answer ?? (await route(ctx, req, secrets))
  } catch (error) {
    answer = failure(error)
  }
  respond(res, answer, headers, secrets)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  return redactText(`${req.method} ${req.url} ${answer.status} ${ms.toFixed(0)}ms`, secrets)
}

/** A request Node could not parse (bad header, wrong content-length): a 400 if the socket can still take one. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const body = JSON.stringify({
    error: `Malformed HTTP request (${error.code ?? 'parse error'}): send a well-formed HTTP/1.1 request.`
  })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  )
}

/**
 * The monorepo CLI's routes plus POST /events (see routes.ts), behind the request guard (request-guard.ts). No
 * request can stop the server: whatever a request makes throw is answered, or, once the answer has begun or the
 * client has gone, dropped with its connection.
 */
export function createLocalServer(options: LocalServerOptions = {}): Server {
  const ctx = createServerContext(options)
  const log = options.log ?? ignore
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A client that goes away mid-body or mid-answer makes these streams emit errors: the handler sees the failed
    // read itself, and there is no one left to answer.
    req.on('error', ignore)
    res.on('error', ignore)
    const port = (server.address() as AddressInfo | null)?.port ?? req.socket.localPort
    handle(ctx, req, res, port)
      .then((line) => {
        try {
          if (line !== undefined) log(line)
        } catch {
          // A log that fails (a closed stdout) must not fail a request that has been answered.
        }
      })
      .catch(() => {
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: 'Internal error while answering.' })
        else res.destroy()
      })
      .catch(() => res.destroy())
  })
  server.on('clientError', answerClientError)
  return server
}

/** Listens on 127.0.0.1 only (never another interface); port 0 picks a free one. `close` drops open connections. */
export async function listenOnLoopback(server: Server, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Starts the server on 127.0.0.1 (never another interface); port 0 picks a free one. */
export async function startLocalServer(
  options: LocalServerOptions & { port?: number } = {}
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createLocalServer(options)
  return { server, ...(await listenOnLoopback(server, options.port)) }
}
