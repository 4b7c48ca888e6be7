import { Destination, transform } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import type { ServerContext } from './context'
import { loggedDelivery, redactExchanges, stateOfDeliveries } from './delivery-log'
import type { SubscriptionDelivery } from './delivery-log'
import { BadRequest, isPlainObject } from './http-utils'
import { checkIsEvent, checkMappingKeys, checkNesting } from './input-checks'
import { runStatsContext } from './stats-api'
import { asEvents, errorResult, multistatusResult, summarizeRequests } from './results'
import type { EventResult } from './results'

/** What the mapping makes of an event (the action's input), for the delivery log; undefined if it cannot. */
function mappedPayload(mapping: Record<string, unknown>, event: unknown): unknown {
  try {
    return transform(mapping as JSONObject, event as JSONObject)
  } catch {
    return undefined
  }
}

/** POST /{action}: the action on one event (`payload` an object) or on a batch (`payload` an array). */
export async function runAction(ctx: ServerContext, slug: string, body: unknown, secrets: string[]) {
  if (!isPlainObject(body))
    throw new BadRequest(400, 'Body must be an object: {"payload": …, "settings": …, "mapping": …}.')
  const { payload, mapping } = body
  if (payload === undefined || payload === null) {
    throw new BadRequest(400, '"payload" is missing: give a Segment event, or an array of events for the batch path.')
  }
  if (mapping !== undefined && !isPlainObject(mapping)) throw new BadRequest(400, '"mapping" must be an object.')
  const events: unknown[] = Array.isArray(payload) ? payload : [payload]
  events.forEach((event, i) => checkIsEvent(event, Array.isArray(payload) ? `payload[${i}]` : '"payload"'))
  checkNesting(payload, 'payload')
  checkNesting(mapping, 'mapping')
  if (mapping) checkMappingKeys(ctx.definition, slug, mapping)
  const settings = ctx.settingsFrom(body.settings, secrets)
  const destination = new Destination(ctx.definition)
  const action = destination.actions[slug]
  const fullMapping = ctx.withLocalDefaults(slug, mapping ?? {}) as JSONObject
  const records = events.map((event) => ctx.deliveryLog.received('tester', event as Record<string, unknown>))
  const auth = undefined
  const statsContext = runStatsContext(ctx.stats)
  let results: EventResult[]
  if (Array.isArray(payload)) {
    try {
      const nodes = await action.executeBatch({
        data: payload as JSONObject[],
        mapping: fullMapping,
        settings,
        auth,
        statsContext
      })
      results = (nodes as unknown as Record<string, unknown>[]).map(multistatusResult)
    } catch (error) {
      results = payload.map(() => errorResult(error))
    }
  } else {
    try {
      const output = await action.execute({
        data: payload as JSONObject,
        mapping: fullMapping,
        settings,
        auth,
        statsContext
      })
      results = [{ status: 200, retryable: false, body: output.at(-1)?.data }]
    } catch (error) {
      results = [errorResult(error)]
    }
  }
  const requests = summarizeRequests(destination.responses, secrets)
  const loggedRequests = redactExchanges(requests, secrets)
  records.forEach((record, i) => {
    const { status, retryable, body, errormessage } = results[i] ?? errorResult(new Error('no result'))
    const delivery = { subscription: `POST /${slug}`, action: slug, status, retryable, body, errormessage }
    const logged = loggedDelivery(delivery, () => mappedPayload(fullMapping, events[i]), secrets)
    ctx.deliveryLog.attempted(record, [logged], loggedRequests)
    record.state = stateOfDeliveries([delivery])
  })
  return { results, requests }
}

type Delivery = EventResult & { action: string; subscription: string }

/**
 * Segment events through every subscription, the way Segment's runtime does: `single` as `onEvent`, otherwise as
 * `onBatch`; one subscription at a time, since Segment's runtime would reject the whole call at the first throwing
 * subscription. Used by POST /events and by the tracking API's delivery.
 */
export async function runSubscriptions(ctx: ServerContext, events: SegmentEvent[], single: boolean, secrets: string[]) {
  const settings = ctx.settingsFrom(undefined, secrets)
  const destination = new Destination(ctx.definition)
  const perEvent: Delivery[][] = events.map(() => [])
  const subscriptions = ctx.subscriptions()
  for (const sub of subscriptions) {
    const subscription = { subscribe: sub.subscribe, partnerAction: sub.partnerAction, mapping: sub.mapping }
    const withSubscription = { ...settings, subscription } as JSONObject
    const tag = { action: sub.partnerAction, subscription: sub.name }
    if (single) {
      try {
        const output = await destination.onEvent(events[0], withSubscription, {
          statsContext: runStatsContext(ctx.stats)
        })
        if (output[0]?.output === 'not subscribed') continue
        perEvent[0].push({ ...tag, status: 200, retryable: false, body: output.at(-1)?.data })
      } catch (error) {
        perEvent[0].push({ ...tag, ...errorResult(error) })
      }
      continue
    }
    try {
      const output = await destination.onBatch(events, withSubscription, { statsContext: runStatsContext(ctx.stats) })
      const multistatus = (output[0] as { multistatus?: Record<string, unknown>[] })?.multistatus
      if (!multistatus) continue
      multistatus.forEach((node, i) => {
        // Events the trigger does not select come back as 400 "does not match": not a delivery, so not listed.
        if (String(node?.errormessage ?? '').includes('does not match the subscription')) return
        perEvent[i].push({ ...tag, ...multistatusResult(node) })
      })
    } catch (error) {
      events.forEach((_, i) => perEvent[i].push({ ...tag, ...errorResult(error) }))
    }
  }
  const mappingOf = new Map(subscriptions.map((s) => [s.name, s.mapping]))
  /** The deliveries of event `i` as the delivery log keeps them: with the mapped payload. */
  const logged = (i: number): SubscriptionDelivery[] =>
    perEvent[i].map(({ subscription, action, status, retryable, body, errormessage }) =>
      loggedDelivery(
        { subscription, action, status, retryable, body, errormessage },
        () => mappedPayload(mappingOf.get(subscription) ?? {}, events[i]),
        secrets
      )
    )
  const requests = summarizeRequests(destination.responses, secrets)
  return { perEvent, logged, requests, loggedRequests: redactExchanges(requests, secrets) }
}

/** POST /events: one event, an array, or {"batch": [...]}; each is checked before anything runs. */
export async function runEvents(ctx: ServerContext, body: unknown, secrets: string[]) {
  const events = asEvents(body)
  const single = events.length === 1 && !Array.isArray(body) && !(isPlainObject(body) && Array.isArray(body.batch))
  events.forEach((event, i) => checkNesting(event, single ? 'The event' : `Event ${i}`))
  const records = events.map((event) => ctx.deliveryLog.received('events', event))
  const { perEvent, logged, requests, loggedRequests } = await runSubscriptions(ctx, events, single, secrets)
  records.forEach((record, i) => {
    ctx.deliveryLog.attempted(record, logged(i), loggedRequests)
    record.state = stateOfDeliveries(perEvent[i])
  })
  const results = events.map((event, i) => ({
    messageId: event.messageId,
    type: event.type,
    event: event.event,
    deliveries: perEvent[i]
  }))
  return { results, requests }
}
