import type { SegmentEvent } from '@segment/actions-core'
import type { ServerContext } from '../context'
import { stateOfDeliveries } from '../delivery-log'
import type { Reply } from '../http/answer'
import { BadRequest, isPlainObject } from '../http/body'
import { checkNesting } from './input-checks'
import { runSubscriptions } from './run'

/** The events of a POST /events body: one event, an array of them, or {"batch": [...]}. */
function eventsOf(body: unknown): SegmentEvent[] {
  const list = isPlainObject(body) && Array.isArray(body.batch) ? body.batch : Array.isArray(body) ? body : [body]
  if (list.length === 0)
    throw new BadRequest(400, 'No events: send one Segment event, an array of them, or {"batch": [...]}.')
  list.forEach((event, i) => {
    if (!isPlainObject(event) || typeof event.type !== 'string') {
      throw new BadRequest(400, `Event ${i} is not a Segment event: it needs a "type" (identify, track, …).`)
    }
  })
  return list as SegmentEvent[]
}

/**
 * POST /events: one event (run as Segment's `onEvent`), an array or {"batch": [...]} (run as `onBatch`), each
 * checked before anything runs, then through every subscription (run.ts); each event's record in the delivery log
 * says what its deliveries did.
 */
export async function answerEvents(ctx: ServerContext, body: unknown): Promise<Reply> {
  const events = eventsOf(body)
  const single = events.length === 1 && !Array.isArray(body) && !(isPlainObject(body) && Array.isArray(body.batch))
  events.forEach((event, i) => checkNesting(event, single ? 'The event' : `Event ${i}`))
  const records = events.map((event) => ctx.deliveryLog.received('events', event))
  const run = await runSubscriptions(ctx, events, single)
  records.forEach((record, i) => {
    ctx.deliveryLog.attempted(record, run.logged(i), run.loggedRequests)
    record.state = stateOfDeliveries(run.perEvent[i])
  })
  const results = events.map((event, i) => ({
    messageId: event.messageId,
    type: event.type,
    event: event.event,
    deliveries: run.perEvent[i]
  }))
  return { status: 200, body: { results, requests: run.requests }, redactor: run.redactor, received: events.length }
}
