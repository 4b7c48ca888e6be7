import { createRequestClient } from '@segment/actions-core'
import nock from 'nock'
import { createState } from '../..'
import { QualtricsClient } from '..'
import { LimitRegistry } from '../adaptive-limit'
import type { AdaptiveLimitOptions } from '../adaptive-limit'
import type { Clock } from '../../memory/clock'
import { parseRetryAfterMs } from '../timing'
import { triggerWorkflows } from '../../triggerXflow/trigger-workflows'
import type { Payload } from '../../triggerXflow/generated-types'
import { settings } from '../../__tests__/__helpers__/qualtrics'

const HOST = 'https://iad1.qualtrics.com'
const PATH = '/inbound-event/v1/events/json/triggers'
const payloads = (count: number): Payload[] =>
  Array.from({ length: count }, (_, i) => ({ workflowUrl: `${HOST}${PATH}?urlTokenId=3f2a`, eventPayload: { i } }))

/** Time that moves only when the test says; `sleeping()` resolves once someone waits on it. */
class FakeClock implements Clock {
  private time = 0
  private sleepers: Array<{ at: number; wake: () => void }> = []
  private watchers: Array<() => void> = []
  now = () => this.time
  sleep = (ms: number) =>
    new Promise<void>((wake) => {
      this.sleepers.push({ at: this.time + ms, wake })
      for (const watch of this.watchers.splice(0)) watch()
    })
  after = (ms: number) => this.sleep(ms)
  sleeping = () => (this.sleepers.length ? Promise.resolve() : new Promise<void>((r) => this.watchers.push(r)))
  advance(ms: number) {
    this.time += ms
    const due = this.sleepers.filter((s) => s.at <= this.time)
    this.sleepers = this.sleepers.filter((s) => s.at > this.time)
    for (const sleeper of due) sleeper.wake()
  }
}

type Reply = [number, Record<string, unknown>, Record<string, string>?]

/**
 * Workflow requests are held until the test releases them, so how many are in flight at once is counted exactly.
 * `answer(n)` is the reply to the n-th request (1-based).
 */
function holdReplies(count: number, answer: (n: number) => Reply = () => [200, {}], token = settings.apiToken) {
  const state = { received: 0, inFlight: 0, maxInFlight: 0, waves: [] as number[], held: [] as Array<() => void> }
  nock(HOST, { reqheaders: { 'x-api-token': token } })
    .post(PATH)
    .query(true)
    .times(count)
    .reply((_uri, _body, callback) => {
      const n = ++state.received
      state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight)
      state.held.push(() => {
        state.inFlight--
        const [status, body, headers = {}] = answer(n)
        callback(null, [status, body, headers])
      })
    })
  return state
}

const tick = () => new Promise((resolve) => setImmediate(resolve))
async function until(condition: () => boolean) {
  for (let i = 0; i < 5000 && !condition(); i++) await tick()
}
/** Lets everything that can run now run: a few hundred turns of the event loop with nothing left to do. */
async function flush() {
  for (let i = 0; i < 300; i++) await tick()
}

/** Releases held replies wave by wave (every request that arrived) until `work` ends; records each wave's size. */
async function drive<T>(work: Promise<T>, ...states: Array<ReturnType<typeof holdReplies>>): Promise<T> {
  let done = false
  const result = work.finally(() => (done = true))
  while (!done) {
    await until(() => done || states.some((s) => s.held.length > 0))
    // Requests of one wave arrive over several turns of the loop: wait until no more come.
    await flush()
    for (const state of states) {
      if (state.held.length) state.waves.push(state.held.length)
      for (const release of state.held.splice(0)) release()
    }
  }
  return result
}

const client = (token = settings.apiToken) =>
  new QualtricsClient(createRequestClient(), { ...settings, apiToken: token }, createState({ clock: new FakeClock() }))
const registry = (options: AdaptiveLimitOptions, clock = new FakeClock()) => new LimitRegistry({ clock, ...options })
/** No growth: the limit changes only by halving. */
const STILL = { successesPerStep: 1_000_000 }

describe('adaptive in-flight limit for workflows', () => {
  it('grows past its start while answers are fast 2xx, up to its cap', async () => {
    const state = holdReplies(200)
    const limits = registry({ initial: 8, max: 32, successesPerStep: 4 })
    const outcomes = await drive(triggerWorkflows(client(), payloads(200), limits), state)
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(state.waves[0]).toBe(8)
    expect(state.maxInFlight).toBeGreaterThan(8)
    expect(state.maxInFlight).toBeLessThanOrEqual(32)
    expect(limits.for(client().account).limit).toBe(32)
  })

  it.each([429, 503])('halves on %s, once for one overload however many requests were in flight', async (status) => {
    // Every answer of the first wave is an overload: that is one overload, so the limit halves once (8 → 4).
    const state = holdReplies(24, (n) => (n <= 8 ? [status, {}] : [200, {}]))
    const limits = registry({ initial: 8, ...STILL })
    const outcomes = await drive(triggerWorkflows(client(), payloads(24), limits), state)
    expect(state.waves).toEqual([8, 4, 4, 4, 4])
    expect(outcomes.filter((o) => !o.ok)).toHaveLength(8)
    expect(limits.for(client().account).limit).toBe(4)
  })

  it('never goes below 1, and still sends every event', async () => {
    const state = holdReplies(6, () => [429, {}])
    const limits = registry({ initial: 2, ...STILL })
    await drive(triggerWorkflows(client(), payloads(6), limits), state)
    expect(state.received).toBe(6)
    expect(state.waves).toEqual([2, 1, 1, 1, 1])
    expect(limits.for(client().account).limit).toBe(1)
  })

  it('sends nothing for the account until Retry-After has passed', async () => {
    const clock = new FakeClock()
    const state = holdReplies(3, (n) => (n === 1 ? [429, {}, { 'retry-after': '5' }] : [200, {}]))
    const limits = registry({ initial: 1, ...STILL }, clock)
    const work = triggerWorkflows(client(), payloads(3), limits)
    await until(() => state.held.length === 1)
    state.held.splice(0)[0]()
    await clock.sleeping()
    await flush()
    expect(state.received).toBe(1)
    clock.advance(4999)
    await flush()
    expect(state.received).toBe(1)
    clock.advance(1)
    const outcomes = await drive(work, state)
    expect(state.received).toBe(3)
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true])
  })

  it("gates a batch client's own 429 retry: it waits for the shared pause, and the 429 halves the limit", async () => {
    const clock = new FakeClock()
    // The client's own pause and the shared pause both run on the fake clock.
    const state = holdReplies(2, (n) => (n === 1 ? [429, {}, { 'retry-after': '0.001' }] : [200, {}]))
    const limits = registry({ initial: 8, ...STILL }, clock)
    const batchClient = QualtricsClient.forBatch(createRequestClient(), settings, createState({ clock }))
    const work = triggerWorkflows(batchClient, payloads(1), limits)
    await until(() => state.held.length === 1)
    state.held.splice(0)[0]()
    await clock.sleeping()
    await flush()
    expect(state.received).toBe(1)
    clock.advance(1)
    const outcomes = await drive(work, state)
    expect(outcomes.map((o) => o.ok)).toEqual([true])
    expect(state.received).toBe(2)
    expect(limits.for(batchClient.account).limit).toBe(4)
  })

  it('is shared by two concurrent batches of one account: never more in flight than the limit', async () => {
    const state = holdReplies(40)
    const limits = registry({ initial: 6, max: 6 })
    const both = Promise.all([
      triggerWorkflows(client(), payloads(20), limits),
      triggerWorkflows(client(), payloads(20), limits)
    ])
    await drive(both, state)
    expect(state.received).toBe(40)
    expect(state.maxInFlight).toBe(6)
  })

  it('keeps accounts apart: an overload and a pause on one leave the other alone', async () => {
    const clock = new FakeClock()
    const other = 'qtok-OTHER-0123456789abcdef'
    const first = holdReplies(1, () => [429, {}, { 'retry-after': '60' }])
    const second = holdReplies(16, () => [200, {}], other)
    const limits = registry({ initial: 8, ...STILL }, clock)
    await drive(triggerWorkflows(client(), payloads(1), limits), first)
    // The first account is paused for a minute of a clock that never moves: the other must not wait for it.
    await drive(triggerWorkflows(client(other), payloads(16), limits), second)
    expect(second.waves).toEqual([8, 8])
    expect(limits.for(client().account).limit).toBe(4)
    expect(limits.for(client(other).account).limit).toBe(8)
  })
})

describe('limit registry and Retry-After', () => {
  it('remembers a bounded number of accounts, forgetting idle ones first', () => {
    const limits = new LimitRegistry({}, 2)
    const a = limits.for('a')
    limits.for('b')
    limits.for('c')
    expect(limits.size).toBe(2)
    expect(limits.for('c')).toBe(limits.for('c'))
    expect(limits.for('a')).not.toBe(a)
  })

  it('reads delta-seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2024-03-01T10:00:00Z')
    expect(parseRetryAfterMs('5', now)).toBe(5000)
    expect(parseRetryAfterMs('Fri, 01 Mar 2024 10:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfterMs('soon', now)).toBeUndefined()
    expect(parseRetryAfterMs(null, now)).toBeUndefined()
  })
})
