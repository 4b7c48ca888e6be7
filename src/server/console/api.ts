import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RESPONSES_ROUTE } from '../../sources/qualtrics-responses'
import type { ServerContext } from '../context'
import { DELIVERY_STATES } from '../delivery-log'
import type { DeliveryState } from '../delivery-log'
import { BadRequest } from '../http/body'

/**
 * The console's API (GET only): what the server saw and holds, read from the one server context. Each function
 * answers one route's body.
 */
export const CONSOLE_API_ROUTES = {
  deliveries: '/console/api/deliveries',
  stats: '/console/api/stats',
  queues: '/console/api/queues',
  responses: '/console/api/responses',
  examples: '/console/api/examples'
} as const
type ConsoleApiRoute = (typeof CONSOLE_API_ROUTES)[keyof typeof CONSOLE_API_ROUTES]

/** The `status` filter's words: each record state by its own name, and `ok` (the older word for delivered). */
const STATUS_FILTERS: Record<string, DeliveryState> = {
  ...Object.fromEntries(DELIVERY_STATES.map((state) => [state, state])),
  ok: 'delivered'
}

/** GET /console/api/deliveries[?status=queued|retrying|delivered|failed|ok]: `{ deliveries }`, newest first. */
export function listDeliveries(ctx: ServerContext, query: URLSearchParams) {
  const status = query.get('status')
  if (status !== null && !Object.hasOwn(STATUS_FILTERS, status)) {
    throw new BadRequest(
      400,
      `status "${status}" is not one of ${Object.keys(STATUS_FILTERS).join(', ')} (or leave it out for all).`
    )
  }
  return { deliveries: ctx.deliveryLog.list(status === null ? undefined : STATUS_FILTERS[status]) }
}

/** The tag the server's counter of events received carries (`path:/v1/track`); no counter of the destination does. */
const PATH_TAG = 'path:'

/**
 * GET /console/api/stats: every counter and histogram, and the events each path brought in, most first (`received:
 * [{ path, events }]`, from the counter tagged with a path, whose name is `receivedCounter`).
 */
export function statsBody(ctx: ServerContext) {
  const snapshot = ctx.stats.snapshot()
  const byPath = new Map<string, number>()
  let receivedCounter: string | undefined
  for (const counter of snapshot.counters) {
    const path = counter.tags.find((tag) => tag.startsWith(PATH_TAG))?.slice(PATH_TAG.length)
    if (path === undefined) continue
    receivedCounter = counter.name
    byPath.set(path, (byPath.get(path) ?? 0) + counter.value)
  }
  const received = [...byPath].map(([path, events]) => ({ path, events })).sort((a, b) => b.events - a.events)
  return { ...snapshot, receivedCounter, received }
}

/**
 * GET /console/api/responses: the receiver's newest callbacks (what each was answered and why) and the Segment
 * calls it queued, newest first (`enabled: false`, with the sentence saying how to turn it on, when it is off).
 */
export async function listResponses(ctx: ServerContext) {
  const responses = ctx.services.responses
  if (!responses) return { enabled: false, hint: responsesOff(), callbacks: [], calls: [] }
  return { enabled: true, callbacks: responses.outcomes(), calls: await responses.recent(100) }
}

/** Why POST /qualtrics/responses does nothing, and how to turn it on. */
export const responsesOff = () =>
  `${RESPONSES_ROUTE} is off: start with QUALTRICS_SUBSCRIPTION_KEY and SEGMENT_WRITE_KEY set (docs/responses.md).`

/** The examples/ events the tester offers as samples (the seed file is not an event). */
const EXAMPLE_EVENTS = ['identify', 'transaction-created', 'survey-completed']
const EXAMPLES_FOLDER = join(__dirname, '..', '..', '..', 'examples')

export async function exampleEvents(): Promise<{ examples: Record<string, unknown> }> {
  const entries = await Promise.all(
    EXAMPLE_EVENTS.map(async (name) => [
      name,
      JSON.parse(await readFile(join(EXAMPLES_FOLDER, `${name}.json`), 'utf8'))
    ])
  )
  return { examples: Object.fromEntries(entries) }
}

export const isConsoleApiRoute = (path: string): path is ConsoleApiRoute =>
  (Object.values(CONSOLE_API_ROUTES) as string[]).includes(path)

/** One console API route's body. */
export async function consoleApiBody(ctx: ServerContext, path: ConsoleApiRoute, query: URLSearchParams) {
  switch (path) {
    case CONSOLE_API_ROUTES.deliveries:
      return listDeliveries(ctx, query)
    case CONSOLE_API_ROUTES.stats:
      return statsBody(ctx)
    case CONSOLE_API_ROUTES.queues:
      return { queues: ctx.queues() }
    case CONSOLE_API_ROUTES.responses:
      return listResponses(ctx)
    case CONSOLE_API_ROUTES.examples:
      return exampleEvents()
  }
}
