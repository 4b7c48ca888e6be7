import type { SegmentEvent } from '@segment/actions-core'
import type { ServerContext } from './context'
import { runSubscriptions } from './event-runner'
import { BadRequest } from './http-utils'
import { checkNesting } from './input-checks'
import { outcomeOfDeliveries } from './tracking'
import type { Deliver, DeliveryResult, TrackingEvent } from './tracking'

/** The delivery log's word for what the tracking queue decided about an event. */
export const LOG_STATE_OF = { delivered: 'delivered', failed: 'failed', retry: 'retrying' } as const

/**
 * The tracking API's delivery: queued events through the presets' triggers as POST /events runs an array (the
 * batch path), each event's outcome from its deliveries. An event that can never be delivered (nested too deep) is
 * a final 400 on its own; the rest still go.
 */
export function deliverTrackedEvents(ctx: ServerContext): Deliver {
  return async (events: TrackingEvent[]): Promise<DeliveryResult[]> => {
    const secrets = [...ctx.baseSecrets]
    const records = events.map((event) => ctx.deliveryLog.trackedEvent(event))
    const refusals = events.map((event) => {
      try {
        checkNesting(event, `Event ${event.messageId}`)
        return undefined
      } catch (error) {
        return (error as BadRequest).message
      }
    })
    const runnable = events.filter((_, i) => refusals[i] === undefined)
    const run =
      runnable.length > 0 ? await runSubscriptions(ctx, runnable as SegmentEvent[], false, secrets) : undefined
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
