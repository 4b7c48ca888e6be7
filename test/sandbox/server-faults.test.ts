import { performance } from 'node:perf_hooks'
import type { Sandbox, SandboxOptions } from '../../src/sandbox'
import {
  DIR,
  DIR_PLAIN,
  ML,
  TOKEN,
  WORKFLOW,
  api,
  call,
  contactsIn,
  createContact,
  expectQualtricsError,
  start,
  state,
  stillClock,
  control
} from './helpers'

const TRIGGER = `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`

describe('faults over HTTP', () => {
  let sandbox: Sandbox | undefined
  afterEach(async () => {
    await sandbox?.close()
    sandbox = undefined
  })

  it('answers 503 in Qualtrics shape and stores nothing', async () => {
    sandbox = await start({ faults: { seed: 1, rates: { 'contacts.create': { status503: 1 } } } })
    const reply = await createContact(sandbox, { email: 'a@example.com' })
    expect(reply.status).toBe(503)
    expectQualtricsError(reply.body, '503 - Service Unavailable', 'SANDBOX_FAULT', expect.stringContaining('503'))
    expect(await contactsIn(sandbox)).toHaveLength(1)
    // Other endpoints are untouched.
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(200)
    expect(sandbox.stats().faults).toEqual({
      status429: 0,
      status500: 0,
      status503: 1,
      drop: 0,
      timeout: 0,
      malformed: 0
    })
    expect(sandbox.stats().byEndpoint['contacts.create']).toEqual({ '503': 1 })
  })

  it.each([
    ['status429', 429, '429 - Too Many Requests'],
    ['status500', 500, '500 - Internal Server Error']
  ])('answers %s faults with %i', async (fault, status, httpStatus) => {
    sandbox = await start({ faults: { rates: { 'transactions.create': { [fault]: 1 } } } })
    const reply = await call(sandbox, 'POST', api(`/directories/${DIR}/transactions`), {
      k: { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-01-01 00:00:00' }
    })
    expect(reply.status).toBe(status)
    expect(reply.body.meta.httpStatus).toBe(httpStatus)
    expect((await state(sandbox)).directories[0].transactions).toEqual([])
    // An injected 429 is a fault, not the rate limiter.
    expect(sandbox.stats().rateLimited).toBe(0)
  })

  it('drops the connection without storing anything', async () => {
    sandbox = await start({ faults: { seed: 1, rates: { 'contacts.create': { drop: 1 } } } })
    await expect(createContact(sandbox, { email: 'dropped@example.com' })).rejects.toThrow()
    expect(await contactsIn(sandbox)).toHaveLength(1)
    expect(sandbox.stats().faults.drop).toBe(1)
    expect(sandbox.stats().byEndpoint['contacts.create']).toEqual({ dropped: 1 })
  })

  it('stores the contact but never answers on a timeout fault (at-least-once)', async () => {
    sandbox = await start({ faults: { seed: 1, timeoutHangMs: 200, rates: { 'contacts.create': { timeout: 1 } } } })
    const began = performance.now()
    await expect(createContact(sandbox, { email: 'lost@example.com' })).rejects.toThrow()
    expect(performance.now() - began).toBeGreaterThanOrEqual(190)
    const contacts = await contactsIn(sandbox)
    expect(contacts.map((c: { email?: string }) => c.email)).toEqual(['seeded@example.com', 'lost@example.com'])
    expect(sandbox.stats().byEndpoint['contacts.create']).toEqual({ timeout: 1 })
  })

  it('marks transactions and workflow runs stored under a timeout as responseLost', async () => {
    sandbox = await start({
      faults: {
        timeoutHangMs: 50,
        rates: { 'transactions.create': { timeout: 1 }, 'workflow.trigger': { timeout: 1 } }
      }
    })
    await expect(
      call(sandbox, 'POST', api(`/directories/${DIR}/transactions`), {
        k: { contactId: 'CID_seeded0000001', mailingListId: ML, transactionDate: '2026-01-01 00:00:00' }
      })
    ).rejects.toThrow()
    await expect(call(sandbox, 'POST', TRIGGER, { a: 1 })).rejects.toThrow()
    const snapshot = await state(sandbox)
    expect(snapshot.directories[0].transactions).toEqual([expect.objectContaining({ key: 'k', responseLost: true })])
    expect(snapshot.workflowRuns).toEqual([expect.objectContaining({ payload: { a: 1 }, responseLost: true })])
  })

  it('marks what it stored as responseLost when the caller hangs up before the answer is through', async () => {
    const slow = await start({ faults: { slowBodyMs: 1000 } })
    sandbox = slow
    const trigger = (body: unknown, signal?: AbortSignal) =>
      fetch(`${slow.url}${TRIGGER}`, {
        method: 'POST',
        headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal
      })
    expect((await (await trigger({ heard: true })).json()).result.runId).toMatch(/^RUN_/)
    const controller = new AbortController()
    expect((await trigger({ heard: false }, controller.signal)).status).toBe(202)
    controller.abort()
    // The sandbox notices the hang-up when the socket closes: wait for that, however long a busy machine takes (the
    // test's own timeout is the only limit), not for a fixed time.
    const hungUp = () => slow.store.workflowRuns.find((run) => run.responseLost)
    while (!hungUp()) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(slow.store.workflowRuns.map((run) => [run.payload, run.responseLost ?? false])).toEqual([
      [{ heard: true }, false],
      [{ heard: false }, true]
    ])
  })

  it('adds latencyMs before answering', async () => {
    sandbox = await start({ faults: { latencyMs: 100 } })
    const began = performance.now()
    const reply = await call(sandbox, 'GET', api('/whoami'))
    // A lower bound only: timers may fire a hair early against performance.now(), never 100 ms early.
    expect(performance.now() - began).toBeGreaterThanOrEqual(95)
    expect(reply.status).toBe(200)
  })

  it('trickles the body out over slowBodyMs and it still arrives whole', async () => {
    sandbox = await start({ faults: { slowBodyMs: 150 } })
    const long = 'é'.repeat(500)
    const created = await createContact(sandbox, { email: 'slow@example.com', embeddedData: { long } })
    const began = performance.now()
    const reply = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${created.body.result.id}`))
    expect(performance.now() - began).toBeGreaterThanOrEqual(100)
    expect(reply.status).toBe(200)
    expect(reply.body.result).toMatchObject({ email: 'slow@example.com', embeddedData: { long } })
  })

  // A slow body is written in pieces; a piece boundary must not split a character outside the BMP.
  it('keeps characters outside the BMP intact in a slow body', async () => {
    sandbox = await start({ faults: { slowBodyMs: 20 } })
    const name = '😀'.repeat(50)
    const created = await createContact(sandbox, { email: 'emoji@example.com', firstName: name })
    const reply = await call(sandbox, 'GET', api(`/directories/${DIR}/contacts/${created.body.result.id}`))
    expect(reply.body.result.firstName).toBe(name)
  })

  it('changes faults at runtime with PUT /__sandbox/faults, and refuses an invalid config', async () => {
    sandbox = await start()
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(200)
    const config = { seed: 2, rates: { whoami: { status500: 1 } } }
    const put = await call(sandbox, 'PUT', '/__sandbox/faults', config, control(sandbox))
    expect(put).toMatchObject({ status: 200, body: config })
    expect((await call(sandbox, 'GET', '/__sandbox/faults', undefined, {})).body).toEqual(config)
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(500)

    const bad = await call(
      sandbox,
      'PUT',
      '/__sandbox/faults',
      { rates: { whoami: { status500: 2 } } },
      control(sandbox)
    )
    expect(bad.status).toBe(400)
    expect(bad.body.error).toContain('rates.whoami.status500 must be a fraction between 0 and 1')
    const malformed = await call(sandbox, 'PUT', '/__sandbox/faults', '{"rates":', control(sandbox))
    expect(malformed.status).toBe(400)
    expect(malformed.body.error).toContain('not valid JSON')
    // The refused configurations changed nothing.
    expect((await call(sandbox, 'GET', '/__sandbox/faults', undefined, {})).body).toEqual(config)
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(500)

    expect((await call(sandbox, 'PUT', '/__sandbox/faults', {}, control(sandbox))).status).toBe(200)
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(200)
  })

  it('keeps the fault configuration across a reset', async () => {
    sandbox = await start({ faults: { rates: { whoami: { status503: 1 } } } })
    await call(sandbox, 'POST', '/__sandbox/reset', undefined, control(sandbox))
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(503)
  })
})

describe('rate limits over HTTP', () => {
  let sandbox: Sandbox | undefined
  // Over real HTTP, 500 creates take long enough that a scaled bucket refills as they go; a sandbox clock whose real
  // time stands still (moved only by `passReal`) makes the count exact, however busy the machine.
  let passReal: (ms: number) => void
  const startStill = (options: SandboxOptions = {}) => {
    const still = stillClock(60)
    passReal = still.passReal
    return start({ ...options, clock: still.clock })
  }
  afterEach(async () => {
    await sandbox?.close()
    sandbox = undefined
  })

  async function createMany(target: Sandbox, count: number, from = 0): Promise<number[]> {
    const statuses: number[] = []
    for (let batch = from; batch < from + count; batch += 50) {
      const size = Math.min(50, from + count - batch)
      const replies = await Promise.all(
        Array.from({ length: size }, (_, i) => createContact(target, { email: `c${batch + i}@example.com` }, DIR_PLAIN))
      )
      statuses.push(...replies.map((r) => r.status))
    }
    return statuses
  }

  it('passes 500 contact creates a minute, answers the next with 429, and passes again after the scaled refill', async () => {
    sandbox = await startStill()
    const statuses = await createMany(sandbox, 500)
    expect(statuses.filter((s) => s === 200)).toHaveLength(500)

    const limited = await createContact(sandbox, { email: 'one-too-many@example.com' }, DIR_PLAIN)
    expect(limited.status).toBe(429)
    expectQualtricsError(
      limited.body,
      '429 - Too Many Requests',
      'SANDBOX_RATE_LIMIT',
      expect.stringContaining('contacts.create')
    )
    expect(sandbox.stats().rateLimited).toBe(1)
    expect(await contactsIn(sandbox, DIR_PLAIN)).toHaveLength(500)
    // Other endpoints have their own allowance.
    expect((await call(sandbox, 'GET', api('/whoami'))).status).toBe(200)

    // At 60× a minute is one second: one create refills every 2 ms. 1 ms is not enough; 2 ms is.
    passReal(1)
    expect((await createContact(sandbox, { email: 'still-limited@example.com' }, DIR_PLAIN)).status).toBe(429)
    passReal(1)
    expect((await createContact(sandbox, { email: 'refilled@example.com' }, DIR_PLAIN)).status).toBe(200)
    expect(sandbox.stats().rateLimited).toBe(2)
    expect(sandbox.stats().byEndpoint['contacts.create']).toEqual({ '200': 501, '429': 2 })
  })

  it('limits each brand separately', async () => {
    sandbox = await startStill()
    await createMany(sandbox, 500)
    expect((await createContact(sandbox, { email: 'a@example.com' }, DIR_PLAIN)).status).toBe(429)
    const bob = await call(
      sandbox,
      'POST',
      api(`/directories/${DIR_PLAIN}/contacts`),
      { email: 'b@example.com' },
      {
        'x-api-token': 'tok-bob'
      }
    )
    expect(bob.status).toBe(200)
  })

  it('does not limit with rateLimits: false', async () => {
    sandbox = await startStill({ rateLimits: false })
    const statuses = await createMany(sandbox, 550)
    expect(statuses.filter((s) => s === 200)).toHaveLength(550)
    expect(sandbox.stats().rateLimited).toBe(0)
  })

  it('refills the buckets on reset', async () => {
    sandbox = await startStill()
    await createMany(sandbox, 500)
    expect((await createContact(sandbox, { email: 'x@example.com' }, DIR_PLAIN)).status).toBe(429)
    await call(sandbox, 'POST', '/__sandbox/reset', undefined, control(sandbox))
    expect((await createContact(sandbox, { email: 'x@example.com' }, DIR_PLAIN)).status).toBe(200)
  })

  it('checks the token before the limit, so a bad token does not spend the allowance', async () => {
    sandbox = await startStill()
    const bad = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(
          sandbox!,
          'POST',
          api(`/directories/${DIR_PLAIN}/contacts`),
          { email: 'z@example.com' },
          {
            'x-api-token': `${TOKEN}-wrong`
          }
        )
      )
    )
    expect(bad.every((r) => r.status === 401)).toBe(true)
    const statuses = await createMany(sandbox, 500)
    expect(statuses.filter((s) => s === 200)).toHaveLength(500)
  })
})
