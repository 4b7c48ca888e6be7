import { Destination } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import type { ServerContext } from '../context'
import { loggedDelivery, stateOfDeliveries } from '../delivery-log'
import type { Reply } from '../http/answer'
import { BadRequest, isPlainObject } from '../http/body'
import { runStatsContext } from '../stats'
import { exchangesOf } from './exchanges'
import { checkIsEvent, checkMappingKeys, checkNesting } from './input-checks'
import { errorResult, multistatusResult } from './results'
import type { EventResult } from './results'
import { mappedPayload } from './run'

/** The body of POST /{action}, checked: the events, whether they are a batch, and the mapping given. */
function checkActionBody(ctx: ServerContext, slug: string, body: unknown) {
  if (!isPlainObject(body))
    throw new BadRequest(400, 'Body must be an object: {"payload": …, "settings": …, "mapping": …}.')
  const { payload, mapping } = body
  if (payload === undefined || payload === null) {
    throw new BadRequest(400, '"payload" is missing: give a Segment event, or an array of events for the batch path.')
  }
  if (mapping !== undefined && !isPlainObject(mapping)) throw new BadRequest(400, '"mapping" must be an object.')
  const batch = Array.isArray(payload)
  const events: unknown[] = batch ? payload : [payload]
  events.forEach((event, i) => checkIsEvent(event, batch ? `payload[${i}]` : '"payload"'))
  checkNesting(payload, 'payload')
  checkNesting(mapping, 'mapping')
  if (mapping) checkMappingKeys(ctx.definition, slug, mapping)
  return { events: events as JSONObject[], batch, mapping: mapping ?? {}, settings: body.settings }
}

/**
 * POST /{action}: the action on one event (`payload` an object) or on a batch (`payload` an array, the batch path),
 * as the monorepo CLI's `serve` runs it; each event's record in the delivery log says what it did.
 */
export async function answerAction(ctx: ServerContext, slug: string, body: unknown): Promise<Reply> {
  const given = checkActionBody(ctx, slug, body)
  const { settings, redactor } = ctx.settingsFrom(given.settings)
  const destination = new Destination(ctx.definition)
  const action = destination.actions[slug]
  const mapping = ctx.withLocalDefaults(slug, given.mapping) as JSONObject
  const records = given.events.map((event) => ctx.deliveryLog.received('tester', event))
  const input = { mapping, settings, auth: undefined, statsContext: runStatsContext(ctx.stats) }
  let results: EventResult[]
  try {
    if (given.batch) {
      const nodes = await action.executeBatch({ ...input, data: given.events })
      results = (nodes as unknown as Record<string, unknown>[]).map(multistatusResult)
    } else {
      const output = await action.execute({ ...input, data: given.events[0] })
      results = [{ status: 200, retryable: false, body: output.at(-1)?.data }]
    }
  } catch (error) {
    results = given.events.map(() => errorResult(error))
  }
  const requests = exchangesOf(destination.responses, redactor)
  const loggedRequests = redactor.value(requests)
  records.forEach((record, i) => {
    const { status, retryable, body, errormessage } = results[i] ?? errorResult(new Error('no result'))
    const delivery = { subscription: `POST /${slug}`, action: slug, status, retryable, body, errormessage }
    const logged = loggedDelivery(delivery, () => mappedPayload(mapping, given.events[i]), redactor)
    ctx.deliveryLog.attempted(record, [logged], loggedRequests)
    record.state = stateOfDeliveries([delivery])
  })
  return { status: 200, body: { results, requests }, redactor, received: given.events.length }
}
