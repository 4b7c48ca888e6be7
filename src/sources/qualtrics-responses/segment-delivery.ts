import type { SegmentCall } from './mapping'
// The project's one retry rule and one loopback rule, from the Qualtrics client both directions share.
import { isLoopbackHostname, isRetryableStatus } from '../../destinations/qualtrics'

/** Segment's HTTP Tracking API hosts by region (docs: HTTP API source, Regional Segment). */
export const SEGMENT_HOSTS = { us: 'https://api.segment.io', eu: 'https://events.eu1.segmentapis.com' } as const

/** One request to POST /v1/batch holds at most this much (Segment's limit). */
export const SEGMENT_BATCH_LIMIT_BYTES = 500 * 1024
/** Room for `{"batch":[…],"sentAt":"…"}` around the calls. */
const BATCH_OVERHEAD_BYTES = 128

/** One call's outcome: the shape the local server's delivery worker takes (it retries the retryable ones). */
export interface CallResult {
  status: number
  retryable: boolean
  error?: string
}

export interface SegmentTarget {
  /** https://api.segment.io, https://events.eu1.segmentapis.com, or a loopback http URL for local runs. */
  host: string
  writeKey: string
  timeoutMs?: number
}

/**
 * SEGMENT_API_HOST's value as an origin: `us`, `eu`, or a URL. Plain http only to this machine, so the write key
 * never crosses a network in the clear.
 */
export function segmentHost(value: string | undefined): string {
  const given = (value ?? '').trim()
  if (given === '' || given === 'us') return SEGMENT_HOSTS.us
  if (given === 'eu') return SEGMENT_HOSTS.eu
  let url: URL
  try {
    url = new URL(given)
  } catch {
    throw new Error(`SEGMENT_API_HOST "${given}" is not "us", "eu" or a URL`)
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname))) return url.origin
  throw new Error(`SEGMENT_API_HOST must be https (or http to 127.0.0.1/localhost), not "${given}"`)
}

/** Calls split into POST /v1/batch bodies within Segment's size limit, in order. */
export function batchesOf(calls: SegmentCall[]): SegmentCall[][] {
  const batches: SegmentCall[][] = []
  let current: SegmentCall[] = []
  let size = BATCH_OVERHEAD_BYTES
  for (const call of calls) {
    const callSize = Buffer.byteLength(JSON.stringify(call), 'utf8') + 1
    if (current.length > 0 && size + callSize > SEGMENT_BATCH_LIMIT_BYTES) {
      batches.push(current)
      current = []
      size = BATCH_OVERHEAD_BYTES
    }
    current.push(call)
    size += callSize
  }
  if (current.length > 0) batches.push(current)
  return batches
}

/** The queue's own bookkeeping stays home; Segment sets receivedAt itself. */
function outbound({ receivedAt: _receivedAt, ...call }: SegmentCall, sentAt: string) {
  return { ...call, sentAt }
}

async function postBatch(target: SegmentTarget, batch: SegmentCall[]): Promise<CallResult> {
  const sentAt = new Date().toISOString()
  try {
    const response = await fetch(`${target.host}/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${target.writeKey}:`).toString('base64')}`,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ batch: batch.map((call) => outbound(call, sentAt)), sentAt }),
      // The write key goes to the configured host only: a redirect is answered as a final error, not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs ?? 15_000)
    })
    await response.arrayBuffer().catch(() => undefined)
    if (response.ok) return { status: response.status, retryable: false }
    return {
      status: response.status,
      retryable: isRetryableStatus(response.status),
      error: `Segment answered ${response.status}`
    }
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError'
    return {
      status: 503,
      retryable: true,
      error: timedOut ? 'Segment did not answer in time' : 'could not reach Segment'
    }
  }
}

/**
 * Sends queued calls to Segment's Tracking API with the write key (Basic auth, as the SDKs do), in batches within
 * the size limit; every call of a batch shares its batch's outcome. One result per call, in order: the delivery
 * worker retries 429, 5xx and network failures with back-off.
 */
export function segmentDelivery(target: SegmentTarget): (calls: SegmentCall[]) => Promise<CallResult[]> {
  return async (calls) => {
    const results: CallResult[] = []
    for (const batch of batchesOf(calls)) {
      const result = await postBatch(target, batch)
      results.push(...batch.map(() => result))
    }
    return results
  }
}
