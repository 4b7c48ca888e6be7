import { Destination, type JSONObject } from '@segment/actions-core'
import type { ServerContext } from './context'
import { BadRequest, isPlainObject } from './http-utils'
import { asEvents, errorResult, multistatusResult, summarizeRequests, type EventResult } from './results'

/** POST /{action}: the action on one event (`payload` an object) or on a batch (`payload` an array). */
export async function runAction(ctx: ServerContext, slug: string, body: unknown, secrets: string[]) {
  if (!isPlainObject(body))
    throw new BadRequest(400, 'Body must be an object: {"payload": …, "settings": …, "mapping": …}.')
  const { payload, mapping } = body
  if (payload === undefined || payload === null) {
    throw new BadRequest(400, '"payload" is missing: give a Segment event, or an array of events for the batch path.')
  }
  if (mapping !== undefined && !isPlainObject(mapping)) throw new BadRequest(400, '"mapping" must be an object.')
  const settings = ctx.settingsFrom(body.settings, secrets)
  const destination = new Destination(ctx.definition)
  const action = destination.actions[slug]
  const fullMapping = ctx.withLocalDefaults(slug, mapping ?? {}) as JSONObject
  const auth = undefined
  let results: EventResult[]
  if (Array.isArray(payload)) {
    try {
      const nodes = await action.executeBatch({ data: payload as JSONObject[], mapping: fullMapping, settings, auth })
      results = (nodes as unknown as Record<string, unknown>[]).map(multistatusResult)
    } catch (error) {
      results = payload.map(() => errorResult(error))
    }
  } else {
    try {
      const output = await action.execute({ data: payload as JSONObject, mapping: fullMapping, settings, auth })
      results = [{ status: 200, retryable: false, body: output.at(-1)?.data }]
    } catch (error) {
      results = [errorResult(error)]
    }
  }
  return { results, requests: summarizeRequests(destination.responses) }
}

type Delivery = EventResult & { action: string; subscription: string }

/**
 * POST /events: Segment events through every subscription, the way Segment's runtime does; one subscription at a
 * time, since Segment's runtime would reject the whole call at the first throwing subscription.
 */
export async function runEvents(ctx: ServerContext, body: unknown, secrets: string[]) {
  const events = asEvents(body)
  const settings = ctx.settingsFrom(undefined, secrets)
  const destination = new Destination(ctx.definition)
  const perEvent: Delivery[][] = events.map(() => [])
  const single = events.length === 1 && !Array.isArray(body) && !(isPlainObject(body) && Array.isArray(body.batch))
  for (const sub of ctx.subscriptions()) {
    const subscription = { subscribe: sub.subscribe, partnerAction: sub.partnerAction, mapping: sub.mapping }
    const withSubscription = { ...settings, subscription } as JSONObject
    const tag = { action: sub.partnerAction, subscription: sub.name }
    if (single) {
      try {
        const output = await destination.onEvent(events[0], withSubscription)
        if (output[0]?.output === 'not subscribed') continue
        perEvent[0].push({ ...tag, status: 200, retryable: false, body: output.at(-1)?.data })
      } catch (error) {
        perEvent[0].push({ ...tag, ...errorResult(error) })
      }
      continue
    }
    try {
      const output = await destination.onBatch(events, withSubscription)
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
  const results = events.map((event, i) => ({
    messageId: event.messageId,
    type: event.type,
    event: event.event,
    deliveries: perEvent[i]
  }))
  return { results, requests: summarizeRequests(destination.responses) }
}
