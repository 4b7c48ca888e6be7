import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { describeRepeat, EventQueue } from '../../src/server/tracking'
import { tempFolder, trackEvent, until } from './tracking/helpers'

// An event whose messageId the tracking API already had is answered as such ("already delivered on …", not a bare
// 200) and shown so in the delivery log; in sandbox mode the ids remembered belong to that sandbox's life, so the
// examples (fixed messageIds) deliver again after a restart.
const EXAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'transaction-created.json'), 'utf8'))
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/

let queue: ReturnType<typeof tempFolder>
const runtimes: LocalRuntime[] = []
beforeEach(() => (queue = tempFolder()))
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()))
  queue.remove()
})

async function start(): Promise<LocalRuntime> {
  const runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    tracking: { queueFolder: queue.folder }
  })
  runtimes.push(runtime)
  return runtime
}

async function send(runtime: LocalRuntime, path: string, body: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const transactions = (runtime: LocalRuntime) => runtime.sandbox!.store.snapshot().directories[0].transactions
/** First copies delivered (a repeat's record carries the message its sender was answered). */
const delivered = (runtime: LocalRuntime) => runtime.deliveryLog.list('delivered').filter((r) => !r.message).length
const repeatsLogged = (runtime: LocalRuntime) => runtime.deliveryLog.list().filter((r) => r.message !== undefined)

describe('an event sent again with a messageId already delivered', () => {
  it('is answered "already delivered on <time>" and logged as a repeat, and nothing is delivered twice', async () => {
    const runtime = await start()
    const first = await send(runtime, '/v1/track', EXAMPLE)
    expect(first).toEqual({ status: 200, body: { success: true } })
    await until(() => delivered(runtime) === 1)

    const again = await send(runtime, '/v1/track', EXAMPLE)
    expect(again.status).toBe(200)
    const deliveredAt = (await runtime.tracking.recent(1))[0].lastAttemptAt
    expect(deliveredAt).toMatch(ISO_TIME)
    expect(again.body).toEqual({
      success: true,
      message: `example-transaction-0001 was already delivered on ${deliveredAt}: not queued again.`,
      repeats: [
        {
          messageId: 'example-transaction-0001',
          status: 'delivered',
          at: deliveredAt,
          message: `already delivered on ${deliveredAt}`
        }
      ]
    })
    const [repeat, original] = runtime.deliveryLog.list()
    expect(repeat).toEqual(
      expect.objectContaining({
        source: 'sdk',
        messageId: 'example-transaction-0001',
        state: 'delivered',
        message: `already delivered on ${deliveredAt}: not queued again`,
        attempts: 0
      })
    )
    expect(original).toEqual(expect.objectContaining({ messageId: 'example-transaction-0001', state: 'delivered' }))
    expect(repeatsLogged(runtime)).toEqual([repeat])
    expect(transactions(runtime)).toHaveLength(1)
  })

  it('in a batch, says which events were repeats and why: delivered, still waiting, or twice in the request', async () => {
    const runtime = await start()
    await send(runtime, '/v1/track', EXAMPLE)
    await until(() => delivered(runtime) === 1)
    const fresh = { ...EXAMPLE, messageId: 'fresh-1' }
    const answer = await send(runtime, '/v1/batch', { batch: [EXAMPLE, fresh, fresh] })
    expect(answer.status).toBe(200)
    expect(answer.body.message).toBe('2 of 3 events were already known and not queued again (see repeats).')
    expect(answer.body.repeats).toEqual([
      expect.objectContaining({ messageId: 'example-transaction-0001', status: 'delivered' }),
      { messageId: 'fresh-1', status: 'repeated', message: 'sent twice in this request' }
    ])
    // The log: each repeat a record with its message, in its first copy's state (fresh-1's follows it to delivered).
    expect(repeatsLogged(runtime).map((r) => [r.messageId, r.message])).toEqual([
      ['fresh-1', 'sent twice in this request: not queued again'],
      ['example-transaction-0001', expect.stringMatching(/^already delivered on .*: not queued again$/)]
    ])
    await until(() => delivered(runtime) === 2)
    expect(repeatsLogged(runtime).map((r) => r.state)).toEqual(['delivered', 'delivered'])
  })
})

describe('what a repeat is called', () => {
  it('says where the first copy stands, and when it finished', () => {
    const at = '2026-12-07T22:47:03.007Z'
    const said = (status: 'waiting' | 'delivered' | 'failed' | 'repeated', when?: string) =>
      describeRepeat({ messageId: 'm-1', status, at: when })
    expect(said('delivered', at)).toBe(`already delivered on ${at}`)
    expect(said('failed', at)).toBe(
      `already tried, and failed for good on ${at} (send it with a new messageId to try again)`
    )
    expect(said('waiting')).toBe('already queued, waiting for delivery')
    expect(said('repeated')).toBe('sent twice in this request')
    expect(said('delivered')).toBe('already delivered')
  })
})

describe("in sandbox mode, the ids remembered belong to the sandbox's life", () => {
  it('a fresh sandbox start forgets the delivered ids, so an example delivers again; waiting events still go', async () => {
    const first = await start()
    await send(first, '/v1/track', EXAMPLE)
    await until(() => delivered(first) === 1)
    await first.close()
    runtimes.splice(0)

    const second = await start()
    expect(second.summary).toContain(
      '  forgot 1 events finished with an earlier sandbox: their messageIds may be sent again'
    )
    const again = await send(second, '/v1/track', EXAMPLE)
    expect(again).toEqual({ status: 200, body: { success: true } })
    await until(() => delivered(second) === 1)
    expect(transactions(second)).toEqual([expect.objectContaining({ key: 'example-transaction-0001' })])
  })

  it('a sandbox reset through the console is a fresh life too: the example delivers again', async () => {
    const runtime = await start()
    await send(runtime, '/v1/track', EXAMPLE)
    await until(() => delivered(runtime) === 1)
    const reset = await send(runtime, '/console/api/sandbox/reset', {})
    expect(reset.status).toBe(200)
    expect(transactions(runtime)).toEqual([])

    expect(await send(runtime, '/v1/track', EXAMPLE)).toEqual({ status: 200, body: { success: true } })
    await until(() => delivered(runtime) === 2)
    expect(transactions(runtime)).toEqual([expect.objectContaining({ key: 'example-transaction-0001' })])
  })

  it('the queue forgets only finished events: a waiting one is still known, and still delivered', async () => {
    const store = await EventQueue.open({ folder: queue.folder })
    const received = new Date('2024-05-01T12:00:00Z')
    const event = trackEvent('A', received)
    await store.enqueue([event], () => 'test')
    const [waiting] = await store.recent(1)
    await store.forgetFinished()
    const repeat = await store.enqueue([event], () => 'test')
    expect(repeat).toEqual(
      expect.objectContaining({ accepted: 0, repeats: [expect.objectContaining({ messageId: waiting.messageId })] })
    )
    expect(repeat.repeats[0].status).toBe('waiting')
    expect(store.size).toEqual({ pending: 1, finished: 0 })
    await store.close()
  })
})
