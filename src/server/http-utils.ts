import type { IncomingMessage, ServerResponse } from 'node:http'

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

/** Sends the body as JSON (no body, as for a 204, when it is undefined), with any extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  if (body === undefined) {
    res.writeHead(status, headers)
    res.end()
    return
  }
  const text = JSON.stringify(body, null, 2)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
