import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { Reply } from '../http/answer'
import { BadRequest, isPlainObject } from '../http/body'
import { completeBatch, completeCall, TRACKING_LIMITS } from './events'
import type { CallType, TrackingEvent } from './events'
import { describeRepeat, QueueFull } from './queue'
import type { EventQueue, Repeat } from './queue'

/** Segment's Tracking API routes, each with the call type it accepts (`batch` takes any). */
export const TRACKING_ROUTES: Readonly<Record<string, CallType | 'batch'>> = {
  '/v1/batch': 'batch',
  '/v1/identify': 'identify',
  '/v1/track': 'track',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/group': 'group',
  '/v1/alias': 'alias'
}

/**
 * The routes Segment's browser library (analytics-next) posts to: one call to /v1/<the first letter of its type>,
 * or, in its batching mode, `{writeKey, batch, sentAt}` to /v1/b.
 */
export const BROWSER_SDK_ROUTES: Readonly<Record<string, CallType | 'batch'>> = {
  '/v1/b': 'batch',
  '/v1/i': 'identify',
  '/v1/t': 'track',
  '/v1/p': 'page',
  '/v1/s': 'screen',
  '/v1/g': 'group',
  '/v1/a': 'alias'
}

const ROUTE_CALL: Readonly<Record<string, CallType | 'batch'>> = { ...TRACKING_ROUTES, ...BROWSER_SDK_ROUTES }

export interface TrackingApiOptions {
  queue: Pick<EventQueue, 'enqueue'>
  /** When set, a request must carry it (Basic auth username, or `writeKey` in the body); when unset, any key passes. */
  writeKey?: string
  now?: () => Date
  /** Told each event not queued because its messageId was already known, with what its answer said about it. */
  onRepeated?: (repeats: RepeatedEvent[]) => void
}

/** An event not queued again, where its first copy stands, and the sentence its sender was answered. */
export interface RepeatedEvent {
  event: TrackingEvent
  status: Repeat['status']
  message: string
}

/** Answers a request to one of TRACKING_ROUTES (`path`); undefined for any other path. */
export type TrackingRoute = (req: IncomingMessage, path: string) => Promise<Reply | undefined>

const gunzipAsync = promisify(gunzip) as (data: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>
// Seconds a sender is asked to wait when the queue is full (analytics-node honours Retry-After on a 429).
const RETRY_AFTER_SECONDS = 10

/** Reads the whole body (so the answer reaches the sender) but keeps at most the batch limit of it. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const limit = TRACKING_LIMITS.batchBytes
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size <= limit) chunks.push(chunk as Buffer)
  }
  if (size > limit) throw new BadRequest(400, `Body is over ${limit} bytes, the most Segment accepts in one request.`)
  const raw = Buffer.concat(chunks)
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
  if (encoding === 'identity') return raw
  if (encoding !== 'gzip')
    throw new BadRequest(400, `Content-Encoding "${encoding}" is not supported: send gzip or none.`)
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BadRequest(400, `Body unzips to over ${limit} bytes, the most Segment accepts in one request.`)
    }
    throw new BadRequest(400, `Body is not valid gzip: ${(error as Error).message}`)
  }
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) }
  } catch (error) {
    return { ok: false, reason: `Body is not valid JSON: ${(error as Error).message}` }
  }
}

/** The username of HTTP Basic auth: the write key (Segment's libraries send "key:", an empty password). */
function basicAuthUser(req: IncomingMessage): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? decoded : decoded.slice(0, colon)
}

/** Compares digests so the time taken says nothing about how much of the key matched. */
function sameKey(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/** Where an event came from, for the queue's record: the route and the library that sent it. */
function sourceOf(req: IncomingMessage, path: string): (event: TrackingEvent) => string {
  return (event) => {
    const library = isPlainObject(event.context) && isPlainObject(event.context.library) ? event.context.library : {}
    const sender =
      typeof library.name === 'string'
        ? `${library.name}${typeof library.version === 'string' ? ` ${library.version}` : ''}`
        : (req.headers['user-agent'] ?? 'an unnamed sender')
    return `POST ${path} from ${sender}`
  }
}

const repeatedEvent = (event: TrackingEvent, repeat: Repeat): RepeatedEvent => ({
  event,
  status: repeat.status,
  message: `${describeRepeat(repeat)}: not queued again`
})

/**
 * What the answer says of events not queued again (nothing when there are none): each with where its first copy
 * stands, and a sentence for the whole request, so a resent example is not met with a bare 200.
 */
function repeatsAnswer(received: number, repeats: Repeat[]) {
  if (repeats.length === 0) return {}
  const message =
    received === 1
      ? `${repeats[0].messageId} was ${describeRepeat(repeats[0])}: not queued again.`
      : `${repeats.length} of ${received} events were already known and not queued again (see repeats).`
  return {
    message,
    repeats: repeats.map(({ messageId, status, at }) => ({
      messageId,
      status,
      at,
      message: describeRepeat({ messageId, status, at })
    }))
  }
}

/**
 * Segment's HTTP Tracking API on the local server: checks the write key, Segment's size limits and each call,
 * completes the calls as Segment does, stores them durably in the queue, then answers 200 {"success": true}, with
 * `message` and `repeats` when some messageIds were already known (and not queued again).
 * Delivery happens afterwards (see DeliveryWorker); a 400 means nothing from the request was queued.
 */
export function createTrackingApi(options: TrackingApiOptions): TrackingRoute {
  const now = options.now ?? (() => new Date())

  async function accept(req: IncomingMessage, path: string, route: CallType | 'batch') {
    const bytes = await readBody(req).catch((error: unknown) => error as BadRequest)
    const parsed = bytes instanceof Buffer ? parseJson(bytes) : undefined
    if (options.writeKey !== undefined) {
      const bodyKey = parsed?.ok && isPlainObject(parsed.value) ? parsed.value.writeKey : undefined
      if (!sameKey(basicAuthUser(req), options.writeKey) && !sameKey(bodyKey, options.writeKey)) {
        throw new BadRequest(
          401,
          'Missing or wrong write key: send SEGMENT_WRITE_KEY as the HTTP Basic username (empty password) or as "writeKey" in the body.'
        )
      }
    }
    if (!(bytes instanceof Buffer)) throw bytes
    if (!parsed?.ok) throw new BadRequest(400, parsed?.reason ?? 'Body is not valid JSON.')
    const receivedAt = now()
    const events =
      route === 'batch'
        ? completeBatch(parsed.value, receivedAt)
        : [completeCall(parsed.value, route, { receivedAt }, `The ${route} call`)]
    return options.queue.enqueue(events, sourceOf(req, path))
  }

  return async (req, path) => {
    const route = Object.hasOwn(ROUTE_CALL, path) ? ROUTE_CALL[path] : undefined
    if (route === undefined) return undefined
    const refusal = (status: number, error: string, headers: Record<string, string> = {}, note?: string): Reply => ({
      status,
      body: { success: false, error },
      headers,
      note
    })
    if (req.method !== 'POST') {
      req.resume()
      return refusal(405, `${path} takes POST, not ${req.method}.`, { allow: 'POST' })
    }
    try {
      const { accepted, repeats } = await accept(req, path, route)
      if (repeats.length > 0) options.onRepeated?.(repeats.map(({ event, ...repeat }) => repeatedEvent(event, repeat)))
      const note = `queued ${accepted}${repeats.length > 0 ? ` (${repeats.length} already known)` : ''}`
      const body = { success: true, ...repeatsAnswer(accepted + repeats.length, repeats) }
      return { status: 200, body, note, received: accepted + repeats.length }
    } catch (error) {
      if (error instanceof BadRequest) return refusal(error.status, error.message, {}, error.message)
      if (error instanceof QueueFull) return refusal(429, error.message, { 'retry-after': String(RETRY_AFTER_SECONDS) })
      return refusal(500, `Could not queue the events: ${(error as Error).message}`)
    }
  }
}
