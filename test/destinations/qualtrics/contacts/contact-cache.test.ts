import {
  CONTACT_CACHE_MAX_ENTRIES,
  CONTACT_CACHE_TTL_MS,
  KnownContacts,
  MemoryContactCache
} from '../../../../src/destinations/qualtrics/contacts/contact-cache'
import type { ContactCacheEvent } from '../../../../src/destinations/qualtrics/contacts/contact-cache'
import { oldestFirst } from '../../../../src/destinations/qualtrics/contacts/multiple-matches'

describe('MemoryContactCache', () => {
  it('defaults to 50,000 entries for an hour', () => {
    const cache = new MemoryContactCache()
    expect([cache.maxEntries, cache.ttlMs]).toEqual([CONTACT_CACHE_MAX_ENTRIES, CONTACT_CACHE_TTL_MS])
    expect([CONTACT_CACHE_MAX_ENTRIES, CONTACT_CACHE_TTL_MS]).toEqual([50_000, 3_600_000])
  })

  it('forgets an entry once its time is up (an injected clock)', () => {
    let now = 1_000
    const cache = new MemoryContactCache({ ttlMs: 60_000, now: () => now })
    cache.set('k', { contactId: 'CID_1' })
    now += 59_999
    expect(cache.get('k')).toEqual({ contactId: 'CID_1' })
    now += 1
    expect(cache.get('k')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('a hit does not extend an entry’s life', () => {
    let now = 0
    const cache = new MemoryContactCache({ ttlMs: 100, now: () => now })
    cache.set('k', { contactId: 'CID_1' })
    now = 90
    cache.get('k')
    now = 100
    expect(cache.get('k')).toBeUndefined()
  })

  it('never holds more than its bound: the least recently used goes first', () => {
    const events: ContactCacheEvent[] = []
    const cache = new MemoryContactCache({ maxEntries: 3, onEvent: (e) => events.push(e) })
    for (const key of ['a', 'b', 'c']) cache.set(key, { contactId: `CID_${key}` })
    cache.get('a') // a is now the most recent
    cache.set('d', { contactId: 'CID_d' })
    expect(cache.size).toBe(3)
    expect(cache.get('b')).toBeUndefined()
    expect(['a', 'c', 'd'].map((k) => cache.get(k)?.contactId)).toEqual(['CID_a', 'CID_c', 'CID_d'])
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, { contactId: `CID_${i}` })
    expect(cache.size).toBe(3)
    expect(events.filter((e) => e === 'evicted')).toHaveLength(101)
    expect(events).toContain('hit')
    expect(events).toContain('miss')
  })
})

describe('KnownContacts', () => {
  const cache = new MemoryContactCache()
  const known = new KnownContacts(cache, 'https://iad1.qualtrics.com/API/v3#abcd', 'POOL_1')
  beforeEach(() => cache.clear())

  it('keys by account, directory and identifier as compared (email ignoring case, extRef exactly)', () => {
    known.remember('email', 'Ada@X.co', { contactId: 'CID_1' })
    known.remember('extRef', 'abc', { contactId: 'CID_2', extRef: 'abc' })
    expect(known.find('email', ' ada@x.CO')?.contactId).toBe('CID_1')
    expect(known.find('extRef', 'ABC')).toBeUndefined()
    expect(new KnownContacts(cache, 'other-account', 'POOL_1').find('email', 'ada@x.co')).toBeUndefined()
    expect(
      new KnownContacts(cache, 'https://iad1.qualtrics.com/API/v3#abcd', 'POOL_2').find('email', 'ada@x.co')
    ).toBeUndefined()
  })

  it('does not give a person the contact of another extRef found by a shared email', () => {
    known.remember('email', 'a@x.co', { contactId: 'CID_1', extRef: 'user-1' })
    expect(known.find('email', 'a@x.co', 'user-2')).toBeUndefined()
    expect(known.find('email', 'a@x.co', 'user-1')?.contactId).toBe('CID_1')
    expect(known.find('email', 'a@x.co')?.contactId).toBe('CID_1')
  })

  it('forgets a value only while it still names the contact Qualtrics said is missing', () => {
    known.remember('email', 'a@x.co', { contactId: 'CID_new' })
    known.forget('email', 'a@x.co', 'CID_old')
    expect(known.find('email', 'a@x.co')?.contactId).toBe('CID_new')
    known.forget('email', 'a@x.co', 'CID_new')
    expect(known.find('email', 'a@x.co')).toBeUndefined()
  })
})

describe('oldestFirst', () => {
  it('orders by creation date (ISO text or epoch ms), then id; undated last', () => {
    const order = oldestFirst([
      { id: 'CID_c' },
      { id: 'CID_b', creationDate: '2024-01-02T00:00:00Z' },
      { id: 'CID_z', creationDate: Date.parse('2024-01-01T00:00:00Z') },
      { id: 'CID_a', creationDate: '2024-01-02T00:00:00Z' },
      { id: 'CID_bad', creationDate: 'yesterday' }
    ] as never)
    expect(order.map((c) => c.id)).toEqual(['CID_z', 'CID_a', 'CID_b', 'CID_bad', 'CID_c'])
  })
})
