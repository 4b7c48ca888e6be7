import type { IncomingMessage } from 'node:http'

/** A request the server refuses, with the status and a message that says what to fix. */
export class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/** Reads a JSON body, refusing one over `limitBytes` as soon as it passes the limit. */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limitBytes) throw new BadRequest(413, `Body is ${declared} bytes; this server accepts ${limitBytes}.`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limitBytes) throw new BadRequest(413, `Body is over ${limitBytes} bytes, the most this server accepts.`)
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new BadRequest(400, `Body is not valid JSON: ${(error as Error).message}`)
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The request's path without its query or trailing slashes ("/" for the root). */
export function pathOf(req: Pick<IncomingMessage, 'url'>): string {
  try {
    return new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '') || '/'
  } catch {
    throw new BadRequest(400, `"${req.url}" is not a path: ask for a route GET / lists.`)
  }
}
