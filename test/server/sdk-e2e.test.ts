import { Analytics } from '@segment/analytics-node'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime, RuntimeOptions } from '../../src/server/runtime'
import { rawRequest } from './raw-http'
import { tempFolder, until } from './tracking/helpers'
import { eachProfile } from '../profiles'

// The real Segment Node library, pointed at the real runtime (`npm start`'s) with only `host` set, and the
// embedded sandbox behind it: an event goes SDK → tracking API → queue → presets' triggers → sandbox.
eachProfile((profile) => {
  let queue: ReturnType<typeof tempFolder>
  const runtimes: LocalRuntime[] = []

  beforeEach(() => (queue = tempFolder()))
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()))
    queue.remove()
  })

  async function start(extra: Partial<RuntimeOptions> = {}): Promise<LocalRuntime> {
    const runtime = await startLocalRuntime({
      config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
      ...extra,
      sandbox: { profile, ...extra.sandbox },
      tracking: { queueFolder: queue.folder, ...extra.tracking }
    })
    runtimes.push(runtime)
    return runtime
  }

  const stored = (runtime: LocalRuntime) => runtime.sandbox!.store.snapshot().directories[0]
  /** A bound on how long a poll may look (30 s of 10 ms looks), not a timing the test asserts. */
  const LOOKS = 3000

  describe('@segment/analytics-node → npm start’s runtime → sandbox', () => {
    it('creates the contact and the transaction an identify and a Transaction Created track describe', async () => {
      const runtime = await start()
      expect(runtime.summary.join('\n')).toMatch(/Segment Tracking API: POST \/v1\/batch/)
      expect(runtime.summary.join('\n')).toContain(`queue in ${queue.folder}`)

      const analytics = new Analytics({ writeKey: 'local-write-key', host: runtime.url })
      const failures: unknown[] = []
      analytics.on('error', (error) => failures.push(error))
      analytics.identify({ userId: 'sdk-user-1', traits: { email: 'grace@example.com', firstName: 'Grace' } })
      analytics.track({
        userId: 'sdk-user-1',
        event: 'Transaction Created',
        properties: { orderId: 'order-1', total: 42 },
        context: { traits: { email: 'grace@example.com' } }
      })
      await analytics.closeAndFlush()
      expect(failures).toEqual([])

      await until(() => stored(runtime).transactions.length > 0, LOOKS)
      const directory = stored(runtime)
      const grace = directory.contacts.filter((c) => c.extRef === 'sdk-user-1')
      expect(grace).toEqual([expect.objectContaining({ email: 'grace@example.com', firstName: 'Grace' })])
      expect(directory.transactions).toEqual([expect.objectContaining({ contactId: grace[0].id })])

      await until(() => runtime.deliveryLog.list('delivered').length === 2, LOOKS)
      const records = runtime.deliveryLog.list()
      expect(records.map((r) => [r.source, r.type, r.event, r.state, r.attempts])).toEqual([
        ['sdk', 'track', 'Transaction Created', 'delivered', 1],
        ['sdk', 'identify', undefined, 'delivered', 1]
      ])
      expect(records[1].deliveries).toEqual([
        expect.objectContaining({
          action: 'upsertContact',
          status: 200,
          payload: expect.objectContaining({ extRef: 'sdk-user-1', email: 'grace@example.com' })
        })
      ])
    })

    it('delivers, once each, the events it accepted while delivery failed, after a restart on the same queue', async () => {
      const failing = await start({
        sandbox: { faults: { rates: { '*': { status503: 1 } } } },
        // Quick retries, so the run sees several failed attempts before it closes.
        tracking: { queueFolder: queue.folder, retries: { firstDelayMs: 20, maxDelayMs: 50, maxAttempts: 1000 } }
      })
      const calls = [
        ...['u1', 'u2', 'u3'].map((user) => ({
          type: 'identify',
          userId: user,
          traits: { email: `${user}@example.com` }
        })),
        ...['u1', 'u2'].map((user, i) => ({
          type: 'track',
          event: 'Transaction Created',
          userId: user,
          messageId: `restart-tx-${i}`,
          properties: { total: i + 1 }
        }))
      ]
      const response = await fetch(`${failing.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ batch: calls })
      })
      expect(response.status).toBe(200)
      await until(() => failing.deliveryLog.list().filter((r) => r.state === 'retrying').length === 5, LOOKS)
      expect(stored(failing).contacts).toEqual([])
      await failing.close()
      runtimes.splice(0)

      const healthy = await start()
      expect(healthy.summary.join('\n')).toMatch(/5 events from an earlier run to deliver/)
      await until(() => healthy.tracking.size().pending === 0, LOOKS)
      const finished = await healthy.tracking.recent(100)
      expect(finished).toHaveLength(5)
      expect(finished.every((record) => record.status === 'delivered')).toBe(true)
      expect(new Set(finished.map((record) => record.messageId)).size).toBe(5)
      const directory = stored(healthy)
      expect(directory.contacts.map((c) => c.extRef).sort()).toEqual(['u1', 'u2', 'u3'])
      expect(directory.transactions.map((t) => t.key).sort()).toEqual(['restart-tx-0', 'restart-tx-1'])
    })

    it('puts the tracking API behind the request guard: host, origin and content-type rules apply', async () => {
      const runtime = await start()
      const batch = JSON.stringify({
        batch: [{ type: 'identify', userId: 'guarded', traits: { email: 'g@example.com' } }]
      })
      const port = Number(new URL(runtime.url).port)
      const json = { host: `127.0.0.1:${port}`, 'content-type': 'application/json' }
      const send = async (headers: Record<string, string>) =>
        (await rawRequest(port, 'POST', '/v1/batch', headers, batch)).status
      // A web form's post is refused; text/plain is read as JSON (Segment's browser library sends it: browser-sdk tests).
      expect(await send({ ...json, 'content-type': 'application/x-www-form-urlencoded' })).toBe(415)
      expect(await send({ ...json, origin: 'https://evil.example' })).toBe(403)
      expect(await send({ ...json, host: 'evil.example' })).toBe(403)
      expect(runtime.tracking.size()).toEqual({ pending: 0, finished: 0 })
      expect(await send(json)).toBe(200)
      const index = (await (await fetch(`${runtime.url}/`)).json()) as { routes: string[] }
      expect(index.routes).toEqual(expect.arrayContaining(['POST /v1/batch', 'GET /console/api/deliveries']))
    })
  })
})
