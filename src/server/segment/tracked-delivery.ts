import type { SegmentEvent } from '@segment/actions-core'
import type { ServerContext } from '../context'
import { outcomeOfDeliveries } from '../tracking'
import type { Deliver, DeliveryResult, TrackingEvent } from '../tracking'
import { nestingRefusal } from './input-checks'
import { runSubscriptions } from './run'

/**
 * The tracking API's delivery (the worker hands it each due batch): queued events through the presets' triggers as
 * POST /events runs an array (the batch path), each event's outcome from its deliveries. An event that can never be
 * delivered (nested too deep) is a final 400 on its own; the rest still go.
 */
export function deliverTrackedEvents(ctx: ServerContext): Deliver {
  return async (events: TrackingEvent[]): Promise<DeliveryResult[]> => {
    const records = events.map((event) => ctx.deliveryLog.trackedEvent(event))
    const refusals = events.map((event) => nestingRefusal(event, `Event ${event.messageId}`))
    const runnable = events.filter((_, i) => refusals[i] === undefined)
    const run = runnable.length > 0 ? await runSubscriptions(ctx, runnable as SegmentEvent[], false) : undefined
    let next = 0
    return events.map((_, i) => {
      const refusal = refusals[i]
      if (refusal !== undefined) {
        const delivery = { subscription: '(none: refused before mapping)', action: '', status: 400, retryable: false }
        ctx.deliveryLog.attempted(records[i], [{ ...delivery, errormessage: refusal }], [])
        return { status: 400, retryable: false, error: refusal }
      }
      const j = next++
      ctx.deliveryLog.attempted(records[i], run!.logged(j), run!.loggedRequests)
      return outcomeOfDeliveries(run!.perEvent[j])
    })
  }
}
