import { TimedCache } from '../timed-cache'
import { TestClock } from '../../__tests__/__helpers__/clock'
import '../../__tests__/__helpers__/harness'

const cacheOf = (maxEntries: number, ttlMs: number, clock = new TestClock()) =>
  new TimedCache<string>({ maxEntries, ttlMs, clock })

describe('TimedCache', () => {
  it('forgets an entry once its time is up, on its clock', () => {
    const clock = new TestClock()
    const cache = cacheOf(10, 60_000, clock)
    cache.set('k', 'v')
    clock.advance(59_999)
    expect(cache.get('k')).toBe('v')
    clock.advance(1)
    expect(cache.get('k')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('a hit does not extend an entry’s life', () => {
    const clock = new TestClock()
    const cache = cacheOf(10, 100, clock)
    cache.set('k', 'v')
    clock.advance(90)
    cache.get('k')
    clock.advance(10)
    expect(cache.get('k')).toBeUndefined()
  })

  it('keeps an entry for its own time when one is given, and nothing for none', () => {
    const clock = new TestClock()
    const cache = cacheOf(10, 100, clock)
    cache.set('long', 'v', 1_000)
    cache.set('never', 'v', 0)
    clock.advance(500)
    expect(cache.get('long')).toBe('v')
    expect(cache.get('never')).toBeUndefined()
  })

  it('never holds more than its bound: the least recently used goes first', () => {
    const cache = cacheOf(3, 60_000)
    for (const key of ['a', 'b', 'c']) cache.set(key, key)
    cache.get('a') // a is now the most recent
    cache.set('d', 'd')
    expect(cache.size).toBe(3)
    expect(cache.get('b')).toBeUndefined()
    expect(['a', 'c', 'd'].map((key) => cache.get(key))).toEqual(['a', 'c', 'd'])
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, `${i}`)
    expect(cache.size).toBe(3)
  })

  it('evicts an expired entry, then one not in use, before one in use; never the entry being stored', () => {
    const clock = new TestClock()
    const busy = new Set(['a'])
    const cache = new TimedCache<string>({ maxEntries: 2, ttlMs: 100, clock, inUse: (value) => busy.has(value) })
    cache.set('a', 'a')
    cache.set('b', 'b', 10)
    clock.advance(10)
    cache.set('c', 'c')
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['a', undefined, 'c'])
    cache.set('d', 'd')
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual(['a', undefined, 'd'])
    busy.add('d')
    cache.set('e', 'e')
    // Both in use: the least recently used goes after all.
    expect([cache.get('a'), cache.get('d'), cache.get('e')]).toEqual([undefined, 'd', 'e'])
  })
})
