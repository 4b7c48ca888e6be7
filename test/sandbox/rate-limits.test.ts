import { BRAND_LIMIT_PER_MINUTE, ENDPOINT_LIMITS_PER_MINUTE, RateLimiter } from '../../src/sandbox'

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start
  return {
    read: () => now,
    advance: (ms: number) => {
      now += ms
    },
    set: (ms: number) => {
      now = ms
    }
  }
}

function takeUntilRefused(limiter: RateLimiter, brand: string, endpoint: Parameters<RateLimiter['tryTake']>[1]) {
  let taken = 0
  while (limiter.tryTake(brand, endpoint)) {
    taken += 1
    if (taken > 10_000) throw new Error('never refused')
  }
  return taken
}

describe('RateLimiter', () => {
  it('has the documented limits', () => {
    expect(BRAND_LIMIT_PER_MINUTE).toBe(3000)
    expect(ENDPOINT_LIMITS_PER_MINUTE).toEqual({
      'contacts.create': 500,
      'contacts.update': 500,
      'contacts.delete': 500,
      'mailinglistContacts.create': 500,
      'mailinglistContacts.delete': 500,
      'contacts.search': 500,
      'transactions.create': 500,
      'transactionbatches.create': 500,
      'imports.create': 100,
      'erasure.create': 20
    })
  })

  it('allows 500 contact deletes and 20 erasure requests a minute, apart from other endpoints', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    expect(takeUntilRefused(limiter, 'b', 'contacts.delete')).toBe(500)
    expect(takeUntilRefused(limiter, 'b', 'erasure.create')).toBe(20)
    expect(limiter.tryTake('b', 'contacts.update')).toBe(true)
    expect(limiter.tryTake('b', 'erasure.list')).toBe(true)
    clock.advance(3_000)
    expect(takeUntilRefused(limiter, 'b', 'erasure.create')).toBe(1)
  })

  it('allows 500 contact creates a minute, then refuses', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    expect(takeUntilRefused(limiter, 'b', 'contacts.create')).toBe(500)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(false)
  })

  it('refills continuously: one create every 120 ms at the real speed', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    takeUntilRefused(limiter, 'b', 'contacts.create')
    clock.advance(119)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(false)
    clock.advance(1)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(true)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(false)
    clock.advance(60_000)
    expect(takeUntilRefused(limiter, 'b', 'contacts.create')).toBe(500)
  })

  it('never holds more than a minute of allowance', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    limiter.tryTake('b', 'contacts.create')
    clock.advance(10 * 60_000)
    expect(takeUntilRefused(limiter, 'b', 'contacts.create')).toBe(500)
  })

  it('shortens the minute by the time scale', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(60, clock.read)
    takeUntilRefused(limiter, 'b', 'contacts.create')
    // At 60× a minute lasts 1 s, so 500 creates refill in 1 s: one per 2 ms (at 1× it would be 120 ms).
    clock.advance(1)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(false)
    clock.advance(1)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(true)
    expect(limiter.tryTake('b', 'contacts.create')).toBe(false)
    clock.advance(1000)
    expect(takeUntilRefused(limiter, 'b', 'contacts.create')).toBe(500)
  })

  it('limits the brand to 3,000 a minute across endpoints', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    expect(takeUntilRefused(limiter, 'b', 'contacts.create')).toBe(500)
    expect(takeUntilRefused(limiter, 'b', 'directories.list')).toBe(2500)
    // The brand bucket is empty, so even an endpoint with room of its own is refused.
    expect(limiter.tryTake('b', 'contacts.search')).toBe(false)
    expect(limiter.tryTake('b', 'whoami')).toBe(false)
  })

  it('takes nothing from the brand when the endpoint bucket refuses', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    takeUntilRefused(limiter, 'b', 'transactions.create')
    for (let i = 0; i < 100; i++) expect(limiter.tryTake('b', 'transactions.create')).toBe(false)
    expect(takeUntilRefused(limiter, 'b', 'whoami')).toBe(2500)
  })

  it('keeps brands and endpoints apart', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    takeUntilRefused(limiter, 'a', 'contacts.create')
    expect(limiter.tryTake('b', 'contacts.create')).toBe(true)
    expect(limiter.tryTake('a', 'contacts.update')).toBe(true)
  })

  it('does not drain the buckets when the clock steps back', () => {
    const clock = manualClock()
    const limiter = new RateLimiter(1, clock.read)
    for (let i = 0; i < 10; i++) limiter.tryTake('b', 'contacts.create')
    clock.advance(-60_000)
    expect(takeUntilRefused(limiter, 'b', 'contacts.create')).toBe(490)
  })

  it.each([0, -1, NaN, Infinity])('refuses a time scale of %p', (scale) => {
    expect(() => new RateLimiter(scale)).toThrow('The sandbox time scale must be a positive number')
  })
})
