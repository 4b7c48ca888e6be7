import { FaultInjector } from '../../src/sandbox'
import type { Fault } from '../../src/sandbox'
import { checkFaultConfig, seededRandom } from '../../src/sandbox/faults'

const ROLLS = 10_000

function tally(injector: FaultInjector, endpoint: Parameters<FaultInjector['pick']>[0], rolls = ROLLS) {
  const counts: Record<Fault | 'none', number> = {
    status429: 0,
    status500: 0,
    status503: 0,
    drop: 0,
    timeout: 0,
    malformed: 0,
    none: 0
  }
  for (let i = 0; i < rolls; i++) counts[injector.pick(endpoint) ?? 'none'] += 1
  return counts
}

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds, and stays in [0, 1)', () => {
    const a = seededRandom(7)
    const b = seededRandom(7)
    const c = seededRandom(8)
    const fromA = Array.from({ length: 1000 }, a)
    expect(Array.from({ length: 1000 }, b)).toEqual(fromA)
    expect(Array.from({ length: 1000 }, c)).not.toEqual(fromA)
    expect(fromA.every((x) => x >= 0 && x < 1)).toBe(true)
  })
})

describe('FaultInjector', () => {
  it('picks nothing without rates', () => {
    expect(tally(new FaultInjector(), 'contacts.create', 1000).none).toBe(1000)
    expect(tally(new FaultInjector({ latencyMs: 5 }), 'contacts.create', 1000).none).toBe(1000)
  })

  it('hits each configured rate within tolerance over 10,000 rolls', () => {
    const injector = new FaultInjector({
      seed: 42,
      rates: { '*': { status429: 0.1, status500: 0.05, status503: 0.15, drop: 0.02, timeout: 0.08 } }
    })
    const counts = tally(injector, 'contacts.create')
    const expected = { status429: 0.1, status500: 0.05, status503: 0.15, drop: 0.02, timeout: 0.08, none: 0.6 }
    for (const [fault, rate] of Object.entries(expected)) {
      // Three standard deviations of a binomial count: a fair die stays inside it.
      const sd = Math.sqrt(ROLLS * rate * (1 - rate))
      expect(Math.abs(counts[fault as Fault | 'none'] - ROLLS * rate)).toBeLessThan(3 * sd)
    }
  })

  it('always fires at rate 1 and never at rate 0', () => {
    expect(tally(new FaultInjector({ rates: { '*': { drop: 1 } } }), 'whoami', 1000).drop).toBe(1000)
    expect(tally(new FaultInjector({ rates: { '*': { drop: 0 } } }), 'whoami', 1000).none).toBe(1000)
  })

  it('repeats a run for the same seed', () => {
    const config = { seed: 99, rates: { '*': { status500: 0.3, timeout: 0.3 } } }
    const a = new FaultInjector(config)
    const b = new FaultInjector(config)
    const picks = (i: FaultInjector) => Array.from({ length: 200 }, () => i.pick('transactions.create'))
    const first = picks(a)
    expect(picks(b)).toEqual(first)
    expect(new Set(first)).toEqual(new Set(['status500', 'timeout', undefined]))
  })

  it('lets an endpoint entry override *', () => {
    const injector = new FaultInjector({
      seed: 1,
      rates: { '*': { status503: 1 }, 'contacts.create': { timeout: 0.5 }, 'contacts.get': {} }
    })
    expect(tally(injector, 'whoami', 500).status503).toBe(500)
    const create = tally(injector, 'contacts.create', 2000)
    expect(create.status503).toBe(0)
    expect(create.timeout).toBeGreaterThan(850)
    expect(create.timeout).toBeLessThan(1150)
    expect(create.none).toBe(2000 - create.timeout)
    // An empty entry switches faults off for that endpoint.
    expect(tally(injector, 'contacts.get', 500).none).toBe(500)
  })

  it('applies no faults to endpoints without an entry when there is no *', () => {
    const injector = new FaultInjector({ rates: { 'transactions.create': { status500: 1 } } })
    expect(injector.pick('transactions.create')).toBe('status500')
    expect(tally(injector, 'contacts.create', 100).none).toBe(100)
  })
})

describe('checkFaultConfig', () => {
  it('accepts a full, valid configuration and returns it', () => {
    const config = {
      latencyMs: 0,
      slowBodyMs: 10,
      timeoutHangMs: 200,
      seed: 3,
      rates: { '*': { status429: 0.5, status500: 0.5 }, 'workflow.trigger': { drop: 1 } }
    }
    expect(checkFaultConfig(config)).toEqual(config)
  })

  it.each([
    ['null', null, 'Fault configuration must be an object'],
    ['an array', [], 'Fault configuration must be an object'],
    ['a string', 'drop', 'Fault configuration must be an object'],
    ['a negative latency', { latencyMs: -1 }, 'latencyMs must be a number of 0 or more'],
    ['a string latency', { latencyMs: '50' }, 'latencyMs must be a number of 0 or more'],
    ['an infinite slowBodyMs', { slowBodyMs: Infinity }, 'slowBodyMs must be a number of 0 or more'],
    ['a NaN timeoutHangMs', { timeoutHangMs: NaN }, 'timeoutHangMs must be a number of 0 or more'],
    ['a negative seed', { seed: -5 }, 'seed must be a number of 0 or more'],
    ['a negative indexLagMs', { indexLagMs: -1 }, 'indexLagMs must be a number of 0 or more'],
    [
      'a misspelt option',
      { latency: 50 },
      '"latency" is not one of latencyMs, slowBodyMs, timeoutHangMs, indexLagMs, seed, rates'
    ],
    ['rates that are not an object', { rates: 5 }, 'rates must be an object keyed by endpoint'],
    ['rates that are a list', { rates: [{ drop: 1 }] }, 'rates must be an object keyed by endpoint'],
    ['an unknown endpoint', { rates: { 'contact.create': { drop: 1 } } }, 'rates.contact.create is not an endpoint'],
    ['an endpoint entry that is not an object', { rates: { '*': 0.5 } }, 'rates.* must be an object'],
    ['an unknown fault', { rates: { '*': { status502: 0.1 } } }, 'rates.*.status502 is not one of status429'],
    ['a rate over 1', { rates: { whoami: { drop: 1.5 } } }, 'rates.whoami.drop must be a fraction between 0 and 1'],
    ['a negative rate', { rates: { whoami: { drop: -0.1 } } }, 'rates.whoami.drop must be a fraction between 0 and 1'],
    ['a NaN rate', { rates: { whoami: { drop: NaN } } }, 'rates.whoami.drop must be a fraction between 0 and 1'],
    ['a string rate', { rates: { whoami: { drop: '0.1' } } }, 'rates.whoami.drop must be a fraction between 0 and 1'],
    [
      'rates adding up to more than 1',
      { rates: { 'contacts.create': { drop: 0.6, timeout: 0.5 } } },
      'the rates for contacts.create add up to more than 1'
    ]
  ])('refuses %s', (_name, config, message) => {
    expect(() => checkFaultConfig(config)).toThrow(message)
    expect(() => new FaultInjector(config as never)).toThrow(message)
  })
})
