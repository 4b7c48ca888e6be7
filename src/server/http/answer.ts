import type { ServerResponse } from 'node:http'
import type { Redactor } from '../../destinations/qualtrics'

/** What every answer may carry besides its content: for the log line and the stats. */
interface AnswerNotes {
  /** The secrets of the request that produced the answer: taken out of its body and its log line. */
  redactor?: Redactor
  /** Added to the log line ("queued 2"). */
  note?: string
  /** How many events the request brought in (counted in GET /console/api/stats by path). */
  received?: number
}

/** A JSON answer for the listener to send. */
export interface Reply extends AnswerNotes {
  status: number
  /** None for a 204. */
  body?: unknown
  headers?: Record<string, string>
}

/** An answer a room wrote itself (a console file, the receiver's callback answer): only its status is left to log. */
export interface Sent extends AnswerNotes {
  sent: number
}

export type Answer = Reply | Sent

export const isSent = (answer: Answer): answer is Sent => 'sent' in answer

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

/**
 * Sends a reply with its request's secrets replaced, in the structure rather than in JSON text, so that no token
 * (however odd) can change or break what is sent. A body JSON cannot hold (too deep, circular) becomes a plain 500.
 * Returns the status sent.
 */
export function sendReply(res: ServerResponse, reply: Reply): number {
  if (res.headersSent || res.destroyed) return reply.status
  let { status, body } = reply
  try {
    const plain = body === undefined ? undefined : JSON.parse(JSON.stringify(body) ?? 'null')
    body = reply.redactor ? reply.redactor.value(plain) : plain
  } catch (error) {
    status = 500
    const why = reply.redactor ? reply.redactor.text(String(error)) : String(error)
    body = { error: `Internal error: the answer could not be written as JSON (${why}).` }
  }
  sendJson(res, status, body, reply.headers)
  return status
}
