import { Analytics } from '@segment/analytics-node'
import { startTracking } from '../../../src/server/tracking'
import type { Tracking, TrackingEvent } from '../../../src/server/tracking'
import { serve, tempFolder, until } from './helpers'

// The real Segment Node library, configured as a user would for the local server: only `host` (and the write key).
let store: ReturnType<typeof tempFolder>
let tracking: Tracking
let server: Awaited<ReturnType<typeof serve>>
const delivered: TrackingEvent[] = []

async function start(writeKey?: string) {
  store = tempFolder()
  tracking = await startTracking({
    queueFolder: store.folder,
    writeKey,
    deliver: async (events) => {
      delivered.push(...events)
      return events.map(() => ({ status: 200, retryable: false }))
    }
  })
  server = await serve(tracking.answer)
}

afterEach(async () => {
  await server.close()
  await tracking.close()
  store.remove()
  delivered.splice(0)
})

/** Sends an identify and a track with the library, waits for closeAndFlush, and returns what the library reported. */
async function sendWithLibrary(writeKey: string) {
  const analytics = new Analytics({ writeKey, host: server.url })
  const failures: unknown[] = []
  const sent: Array<{ messageId: string; type: string }> = []
  analytics.on('error', (error) => failures.push(error))
  analytics.on('identify', (ctx) => sent.push({ messageId: ctx.event.messageId as string, type: 'identify' }))
  analytics.on('track', (ctx) => sent.push({ messageId: ctx.event.messageId as string, type: 'track' }))
  analytics.identify({ userId: 'user-1', traits: { email: 'ada@example.com', firstName: 'Ada' } })
  analytics.track({ userId: 'user-1', event: 'Order Completed', properties: { total: 42 } })
  await analytics.closeAndFlush()
  return { failures, sent }
}

describe('@segment/analytics-node against the local Tracking API', () => {
  it('delivers exactly the identify and track the library sent, with the fields Segment fills in', async () => {
    await start()
    const { failures, sent } = await sendWithLibrary('any-key')
    expect(failures).toEqual([])
    await until(() => delivered.length >= 2)
    expect(delivered.map((e) => ({ messageId: e.messageId, type: e.type }))).toEqual(sent)
    expect(delivered[0]).toMatchObject({
      type: 'identify',
      userId: 'user-1',
      traits: { email: 'ada@example.com', firstName: 'Ada' },
      context: { library: { name: '@segment/analytics-node' } }
    })
    expect(delivered[1]).toMatchObject({ type: 'track', event: 'Order Completed', properties: { total: 42 } })
    for (const event of delivered) {
      expect(event).toEqual(
        expect.objectContaining({
          receivedAt: expect.any(String),
          sentAt: expect.any(String),
          timestamp: expect.any(String)
        })
      )
      expect(event).not.toHaveProperty('writeKey')
    }
    expect((await tracking.recent()).map((r) => r.source)).toEqual([
      expect.stringMatching(/^POST \/v1\/batch from @segment\/analytics-node \d/),
      expect.stringMatching(/^POST \/v1\/batch from @segment\/analytics-node \d/)
    ])
  })

  it('passes the configured write key, and a wrong key is reported by the library and queues nothing', async () => {
    await start('wk-right')
    const right = await sendWithLibrary('wk-right')
    expect(right.failures).toEqual([])
    await until(() => delivered.length >= 2)

    const wrong = await sendWithLibrary('wk-wrong')
    // One failure per event, each the 401 the library got (a 401 is final for it: it does not retry).
    const failure = expect.objectContaining({ code: 'delivery_failure', reason: new Error('[401] Unauthorized') })
    expect(wrong.failures).toEqual([failure, failure])
    expect(tracking.size()).toEqual({ pending: 0, finished: 2 })
  })
})
