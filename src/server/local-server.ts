import type { Server } from 'node:http'
import { createServerContext } from './context'
import type { ServerContext, ServerOptions } from './context'
import { createListener, listenOnLoopback } from './http/listener'
import { createRouter } from './router'

export { DEFAULT_BODY_LIMIT_BYTES } from './context'
export type { LocalSubscription, ServerContext, ServerOptions } from './context'

export interface LocalServer {
  url: string
  server: Server
  /** The context every route was handed: its delivery log and counters. */
  context: ServerContext
  close(): Promise<void>
}

/** Serves a context on 127.0.0.1 (never another interface); port 0 picks a free one. */
export async function serveContext(context: ServerContext, port = 0): Promise<LocalServer> {
  const server = createListener(createRouter(context), context.log)
  return { server, context, ...(await listenOnLoopback(server, port)) }
}

/**
 * A server with only the routes (no tracking API, no sandbox, no receiver) on a context of its own: what the tests
 * of the routes start. `npm start` runs the whole runtime (runtime.ts), which makes one context for all of it.
 */
export function startLocalServer(options: ServerOptions & { port?: number } = {}): Promise<LocalServer> {
  return serveContext(createServerContext(options), options.port)
}
