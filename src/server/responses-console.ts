import type { IncomingMessage } from 'node:http'
import { RESPONSES_ROUTE } from '../sources/qualtrics-responses'
import { BadRequest } from './http-utils'
import type { Responses } from './responses'
import type { RouteResult } from './routes'

export const RESPONSES_CONSOLE_ROUTE = '/console/api/responses'

/**
 * GET /console/api/responses: the receiver's newest callbacks (what each was answered and why) and the Segment
 * calls it queued, newest first (`enabled: false` when no receiver is configured). POST /qualtrics/responses
 * reaches here only when none is.
 */
export async function listResponses(
  responses: Responses | undefined,
  req: IncomingMessage,
  path: string
): Promise<RouteResult> {
  const off = `${RESPONSES_ROUTE} is off: start with QUALTRICS_SUBSCRIPTION_KEY and SEGMENT_WRITE_KEY set (docs/responses.md).`
  if (path === RESPONSES_ROUTE) {
    throw new BadRequest(
      responses ? 405 : 404,
      responses ? `${RESPONSES_ROUTE} takes POST or GET, not ${req.method}.` : off
    )
  }
  if (req.method !== 'GET') throw new BadRequest(405, `${RESPONSES_CONSOLE_ROUTE} takes GET, not ${req.method}.`)
  // Off is a state, not an error: the console shows the sentence.
  if (!responses) return { status: 200, body: { enabled: false, hint: off, callbacks: [], calls: [] } }
  return { status: 200, body: { enabled: true, callbacks: responses.outcomes(), calls: await responses.recent(100) } }
}
