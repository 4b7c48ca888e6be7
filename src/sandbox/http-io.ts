import { STATUS_CODES } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError } from './errors'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Reads the body up to `limit` bytes; past it, the rest is drained unread and a 413 follows. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > limit) reject(new ApiError(413, 'SANDBOX_TOO_LARGE', `The request body is over ${limit} bytes.`))
      else resolve(Buffer.concat(chunks))
    })
    req.on('error', reject)
  })
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new ApiError(400, 'SANDBOX_MALFORMED_JSON', 'The request body is not valid JSON.')
  }
}

export function basicCredentials(header: string | undefined): { userName: string; token: string } | undefined {
  const match = header ? /^Basic\s+(.+)$/i.exec(header) : null
  if (!match) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : { userName: decoded.slice(0, colon), token: decoded.slice(colon + 1) }
}

/** Sends JSON; with `slowBodyMs` the body trickles out in ten pieces over that long. */
export async function send(res: ServerResponse, status: number, body: unknown, slowBodyMs = 0): Promise<void> {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  if (slowBodyMs <= 0) {
    res.end(text)
    return
  }
  // Slice bytes, not string units: a cut through a surrogate pair would corrupt the character and the length.
  const bytes = Buffer.from(text)
  const pieces = 10
  const step = Math.ceil(bytes.length / pieces)
  for (let i = 0; i < bytes.length; i += step) {
    res.write(bytes.subarray(i, i + step))
    await sleep(slowBodyMs / pieces)
  }
  res.end()
}

/** Qualtrics' `meta`: `httpStatus` is a string such as "200 - OK". */
export const meta = (status: number, requestId: string) => ({
  httpStatus: `${status} - ${STATUS_CODES[status]}`,
  requestId
})

export const errorBody = (error: ApiError, requestId: string) => ({
  meta: { ...meta(error.status, requestId), error: { errorMessage: error.message, errorCode: error.errorCode } }
})
