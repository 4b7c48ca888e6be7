import { createServer, STATUS_CODES } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { isSent, sendJson, sendReply } from './answer'
import type { Answer } from './answer'

/**
 * Answers one request (router.ts): a reply to send, or word that the answer was written. `port` is the listener's
 * own, undefined once it has stopped listening. It must not throw: whatever does is a bare 500.
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, port: number | undefined) => Promise<Answer>

const ignore = () => undefined

/** Sends the answer and says it in one log line, redacted with the request's own secrets. */
function finish(req: IncomingMessage, res: ServerResponse, answer: Answer, started: bigint): string {
  const status = isSent(answer) ? answer.sent : sendReply(res, answer)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const line = `${req.method} ${req.url} ${status}${answer.note ? ` ${answer.note}` : ''} ${ms.toFixed(0)}ms`
  return answer.redactor ? answer.redactor.text(line) : line
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
 * The HTTP listener: hands each request to `handle`, sends its answer and logs it. No request can stop the server:
 * whatever a request makes throw is answered, or, once the answer has begun or the client has gone, dropped with its
 * connection.
 */
export function createListener(handle: RequestHandler, log: (line: string) => void = ignore): Server {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A client that goes away mid-body or mid-answer makes these streams emit errors: the handler sees the failed
    // read itself, and there is no one left to answer.
    req.on('error', ignore)
    res.on('error', ignore)
    const started = process.hrtime.bigint()
    const port = (server.address() as AddressInfo | null)?.port ?? req.socket.localPort
    handle(req, res, port)
      .then((answer) => {
        const line = finish(req, res, answer, started)
        try {
          log(line)
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
