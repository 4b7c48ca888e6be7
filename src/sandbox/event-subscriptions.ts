import { createHmac } from 'node:crypto'
import { request } from 'node:http'
import { badRequest, notFound } from './errors'
import { isObject, newId } from './plain-object'

/** Topics Qualtrics documents for event subscriptions (the survey's id follows a completedResponse). */
const TOPIC = /^(surveyengine\.completedResponse\.SV_[A-Za-z0-9]+|controlpanel\.(?:activate|deactivate)Survey|\*)$/

export interface StoredSubscription {
  id: string
  brandId: string
  topics: string
  publicationUrl: string
  encrypt: boolean
  sharedKey?: string
  createdAt: string
}

/** One callback POST the sandbox made (or could not make), for the state route and the tests. */
export interface CallbackDelivery {
  subscriptionId: string
  topic: string
  responseId?: string
  attempt: number
  at: string
  status?: number
  error?: string
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** A URL every later callback can be posted to: checked whole here, so a completion never meets one it cannot parse. */
function checkPublicationUrl(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw badRequest('publicationUrl must be an http(s) URL, as a string.')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw badRequest(`publicationUrl ${JSON.stringify(value.slice(0, 200))} is not a URL.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badRequest(`publicationUrl must be an http(s) URL, not ${url.protocol}.`)
  }
}

/** `POST /eventsubscriptions`, `GET` (one or all), `DELETE`; and what each callback did. */
export class EventSubscriptions {
  private readonly subscriptions = new Map<string, StoredSubscription>()
  readonly deliveries: CallbackDelivery[] = []

  create(brandId: string, body: unknown): StoredSubscription {
    if (!isObject(body)) throw badRequest('The body must be {topics, publicationUrl, encrypt?, sharedKey?}.')
    const { topics, publicationUrl, encrypt, sharedKey } = body
    if (typeof topics !== 'string' || !TOPIC.test(topics)) {
      throw badRequest(`topics ${JSON.stringify(topics)} is not a topic (surveyengine.completedResponse.SV_…).`)
    }
    checkPublicationUrl(publicationUrl)
    // Encrypted callbacks are documented but their format is not: the sandbox refuses rather than guesses.
    if (encrypt !== undefined && encrypt !== false) throw badRequest('encrypt: true is not modelled; send false.')
    if (sharedKey !== undefined && (typeof sharedKey !== 'string' || sharedKey === '')) {
      throw badRequest('sharedKey must be a non-empty string.')
    }
    const stored: StoredSubscription = {
      id: newId('SUB'),
      brandId,
      topics,
      publicationUrl,
      encrypt: false,
      ...(sharedKey ? { sharedKey } : {}),
      createdAt: new Date().toISOString()
    }
    this.subscriptions.set(stored.id, stored)
    return stored
  }

  /** What GET shows: never the shared key. */
  shown({ sharedKey: _key, ...subscription }: StoredSubscription) {
    return {
      ...subscription,
      successfulCalls: this.deliveries.filter((d) => d.subscriptionId === subscription.id && d.status === 200).length
    }
  }

  get(brandId: string, id: string): StoredSubscription {
    const found = this.subscriptions.get(id)
    if (!found || found.brandId !== brandId) throw notFound(`Event subscription ${id} not found.`)
    return found
  }

  list(brandId: string): StoredSubscription[] {
    return [...this.subscriptions.values()].filter((s) => s.brandId === brandId)
  }

  delete(brandId: string, id: string): void {
    this.get(brandId, id)
    this.subscriptions.delete(id)
  }

  /** Every subscription, without shared keys (for the state route). */
  all() {
    return [...this.subscriptions.values()].map((s) => this.shown(s))
  }

  /** The brand's subscriptions whose topic covers this one (`*` covers all). */
  matching(brandId: string, topic: string): StoredSubscription[] {
    return this.list(brandId).filter((s) => s.topics === '*' || s.topics === topic)
  }
}

/** How a completion's callbacks go out: extra copies after a delay, since Qualtrics documents no redelivery policy. */
export interface FireOptions {
  /** Copies sent after the first (default 0): a receiver must take duplicates. */
  redeliveries?: number
  /** Milliseconds between copies (default 100). */
  delayMs?: number
  /** The number of the first copy sent (default 1); copies after the first wait `delayMs`. */
  firstAttempt?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One form-encoded POST, as Qualtrics sends a callback: Topic, MSG and, with a shared key, the hex HMAC-SHA512. */
function post(subscription: StoredSubscription, topic: string, msg: string): Promise<number> {
  const form = new URLSearchParams({ Topic: topic, MSG: msg })
  if (subscription.sharedKey) form.set('HMAC', createHmac('sha512', subscription.sharedKey).update(msg).digest('hex'))
  const body = form.toString()
  return new Promise((resolve, reject) => {
    const req = request(
      subscription.publicationUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }
    )
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')))
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Sends a callback to each subscription, then `redeliveries` copies. Only loopback URLs are called: the sandbox
 * never reaches the network, so another URL is recorded as not delivered.
 */
export async function fireCallbacks(
  book: EventSubscriptions,
  subscriptions: StoredSubscription[],
  event: { topic: string; msg: Record<string, unknown> },
  options: FireOptions = {}
): Promise<CallbackDelivery[]> {
  const msg = JSON.stringify(event.msg)
  const first = options.firstAttempt ?? 1
  const last = first + Math.max(0, Math.min(options.redeliveries ?? 0, 10))
  const made: CallbackDelivery[] = []
  for (let attempt = first; attempt <= last; attempt++) {
    if (attempt > 1) await sleep(options.delayMs ?? 100)
    for (const subscription of subscriptions) {
      const record: CallbackDelivery = {
        subscriptionId: subscription.id,
        topic: event.topic,
        responseId: typeof event.msg.ResponseID === 'string' ? event.msg.ResponseID : undefined,
        attempt,
        at: new Date().toISOString()
      }
      if (!LOOPBACK.has(new URL(subscription.publicationUrl).hostname)) {
        record.error = 'not sent: the sandbox calls 127.0.0.1 only'
      } else {
        try {
          record.status = await post(subscription, event.topic, msg)
        } catch (error) {
          record.error = (error as Error).message
        }
      }
      book.deliveries.push(record)
      made.push(record)
    }
  }
  return made
}
