import { Destination, transform } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import type { Redactor } from '../../destinations/qualtrics'
import type { ServerContext } from '../context'
import { loggedDelivery } from '../delivery-log'
import type { LoggedExchange, SubscriptionDelivery } from '../delivery-log'
import { runStatsContext } from '../stats'
import { exchangesOf } from './exchanges'
import { errorResult, multistatusResult } from './results'
import type { EventResult } from './results'

/** What the mapping makes of an event (the action's input), for the delivery log; undefined if it cannot. */
export function mappedPayload(mapping: Record<string, unknown>, event: unknown): unknown {
  try {
    return transform(mapping as JSONObject, event as JSONObject)
  } catch {
    return undefined
  }
}

export type Delivery = EventResult & { action: string; subscription: string }

/** A run of events through the subscriptions: what each event's deliveries were, and what the run showed. */
export interface SubscriptionRun {
  perEvent: Delivery[][]
  /** The deliveries of event `i` as the delivery log keeps them: redacted, with the mapped payload. */
  logged(i: number): SubscriptionDelivery[]
  /** The Qualtrics exchanges the run made (for the answer, which the listener redacts with `redactor`). */
  requests: LoggedExchange[]
  /** The same exchanges redacted once, shared by the log records of the run's events. */
  loggedRequests: LoggedExchange[]
  /** The secrets of the run: the settings' and those its exchanges carried. */
  redactor: Redactor
}

/** One subscription on one event, as Segment's `onEvent`: its delivery, or none when the trigger does not select it. */
async function onEvent(destination: Destination, event: SegmentEvent, settings: JSONObject, ctx: ServerContext) {
  const output = await destination.onEvent(event, settings, { statsContext: runStatsContext(ctx.stats) })
  if (output[0]?.output === 'not subscribed') return undefined
  return { status: 200, retryable: false, body: output.at(-1)?.data }
}

/** One subscription on a batch, as Segment's `onBatch`: each selected event's result, by index. */
async function onBatch(destination: Destination, events: SegmentEvent[], settings: JSONObject, ctx: ServerContext) {
  const output = await destination.onBatch(events, settings, { statsContext: runStatsContext(ctx.stats) })
  const multistatus = (output[0] as { multistatus?: Record<string, unknown>[] })?.multistatus ?? []
  // Events the trigger does not select come back as 400 "does not match": not a delivery, so not listed.
  return multistatus.map((node) =>
    String(node?.errormessage ?? '').includes('does not match the subscription') ? undefined : multistatusResult(node)
  )
}

/**
 * Segment events through every subscription, the way Segment's runtime does: `single` as `onEvent`, otherwise as
 * `onBatch`; one subscription at a time, since Segment's runtime would reject the whole call at the first throwing
 * subscription. POST /events and the tracking API's delivery run events here, with the server's own settings.
 */
export async function runSubscriptions(
  ctx: ServerContext,
  events: SegmentEvent[],
  single: boolean
): Promise<SubscriptionRun> {
  const { settings, redactor } = ctx.settingsFrom(undefined)
  const destination = new Destination(ctx.definition)
  const perEvent: Delivery[][] = events.map(() => [])
  const subscriptions = ctx.subscriptions()
  for (const sub of subscriptions) {
    const subscription = { subscribe: sub.subscribe, partnerAction: sub.partnerAction, mapping: sub.mapping }
    const withSubscription = { ...settings, subscription } as JSONObject
    const tag = { action: sub.partnerAction, subscription: sub.name }
    try {
      const results = single
        ? [await onEvent(destination, events[0], withSubscription, ctx)]
        : await onBatch(destination, events, withSubscription, ctx)
      results.forEach((result, i) => result && perEvent[i].push({ ...tag, ...result }))
    } catch (error) {
      perEvent.forEach((deliveries) => deliveries.push({ ...tag, ...errorResult(error) }))
    }
  }
  const mappingOf = new Map(subscriptions.map((s) => [s.name, s.mapping]))
  const requests = exchangesOf(destination.responses, redactor)
  return {
    perEvent,
    logged: (i) =>
      perEvent[i].map(({ subscription, action, status, retryable, body, errormessage }) =>
        loggedDelivery(
          { subscription, action, status, retryable, body, errormessage },
          () => mappedPayload(mappingOf.get(subscription) ?? {}, events[i]),
          redactor
        )
      ),
    requests,
    loggedRequests: redactor.value(requests),
    redactor
  }
}
