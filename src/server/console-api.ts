import type { IncomingMessage } from 'node:http'
import type { DeliveryLog, DeliveryState } from './delivery-log'
import { BadRequest } from './http-utils'

export const DELIVERIES_ROUTE = '/console/api/deliveries'

/** The `status` filter's words, and the record state each selects. */
const STATUS_FILTERS: Record<string, DeliveryState> = {
  ok: 'delivered',
  retrying: 'retrying',
  failed: 'failed',
  queued: 'queued'
}

/** GET /console/api/deliveries[?status=ok|retrying|failed|queued]: `{ deliveries }`, newest first. */
export function listDeliveries(log: DeliveryLog, req: IncomingMessage) {
  if (req.method !== 'GET') throw new BadRequest(405, `${DELIVERIES_ROUTE} takes GET, not ${req.method}.`)
  const status = new URL(req.url ?? '/', 'http://local').searchParams.get('status')
  if (status !== null && !Object.hasOwn(STATUS_FILTERS, status)) {
    throw new BadRequest(
      400,
      `status "${status}" is not one of ${Object.keys(STATUS_FILTERS).join(', ')} (or leave it out for all).`
    )
  }
  return { status: 200, body: { deliveries: log.list(status === null ? undefined : STATUS_FILTERS[status]) } }
}
