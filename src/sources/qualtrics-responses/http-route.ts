import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResponseReceiver } from './receiver'

/** Where Qualtrics posts: inside `npm start` and from `npm run responses -- serve` alike. */
export const RESPONSES_ROUTE = '/qualtrics/responses'

/** A callback is three short form fields; anything much bigger is not one. */
export const CALLBACK_BODY_LIMIT_BYTES = 64 * 1024

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

async function readForm(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size <= CALLBACK_BODY_LIMIT_BYTES) chunks.push(chunk as Buffer)
  }
  return size > CALLBACK_BODY_LIMIT_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')
}

/**
 * `POST /qualtrics/responses`: a form-encoded callback to the receiver. The caller has matched the path; this
 * checks the method and content type, reads at most 64 KB and answers with the receiver's status and reason.
 * A GET is answered 200 and does nothing: Qualtrics requires a subscription URL to handle GET as well as POST.
 */
export async function handleResponsesRoute(
  receiver: ResponseReceiver,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string> = {}
): Promise<number> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume()
    answer(res, 200, { ok: true }, headers)
    return 200
  }
  if (req.method !== 'POST') {
    req.resume()
    answer(
      res,
      405,
      { error: `${RESPONSES_ROUTE} takes POST (Qualtrics' callbacks) or GET, not ${req.method}.` },
      headers
    )
    return 405
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (mediaType !== FORM_CONTENT_TYPE) {
    req.resume()
    answer(
      res,
      415,
      { error: `A callback is "${FORM_CONTENT_TYPE}" (Topic, MSG, HMAC), as Qualtrics posts it.` },
      headers
    )
    return 415
  }
  const body = await readForm(req)
  if (body === undefined) {
    answer(res, 413, { error: `A callback is at most ${CALLBACK_BODY_LIMIT_BYTES} bytes.` }, headers)
    return 413
  }
  const result = await receiver.receive(body)
  const retryAfter: Record<string, string> = result.status === 503 ? { 'retry-after': '30' } : {}
  answer(res, result.status, result.body, { ...headers, ...retryAfter })
  return result.status
}
