import type { IncomingMessage } from 'node:http'
import { RESPONSES_ROUTE } from '../sources/qualtrics-responses'
import { BadRequest } from './http-utils'
import type { Responses } from './responses'
import type { RouteResult } from './routes'

export const RESPONSES_CONSOLE_ROUTE = '/console/api/responses'

/**
 * GET /console/api/responses: the receiver's newest callbacks (what each was answered and why) and the Segment
 * calls it queued, newest first. POST /qualtrics/responses reaches here only when no receiver is configured.
 */
export async function listResponses(
  responses: Responses | undefined,
  req: IncomingMessage,
  path: string
): Promise<RouteResult> {
  if (!responses) {
    throw new BadRequest(
      404,
      `${RESPONSES_ROUTE} is off: start with QUALTRICS_SUBSCRIPTION_KEY and SEGMENT_WRITE_KEY set (docs/responses.md).`
    )
  }
  if (path === RESPONSES_ROUTE) throw new BadRequest(405, `${RESPONSES_ROUTE} takes POST, not ${req.method}.`)
  if (req.method !== 'GET') throw new BadRequest(405, `${RESPONSES_CONSOLE_ROUTE} takes GET, not ${req.method}.`)
  return { status: 200, body: { callbacks: responses.outcomes(), calls: await responses.recent(100) } }
}
