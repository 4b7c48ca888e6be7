import { createState } from '../..'
import { CONTACT_CACHE_MAX_ENTRIES, CONTACT_CACHE_TTL_MS, KnownContacts } from '../contact-cache'
import { oldestFirst } from '../multiple-matches'
import { TestClock } from '../../__tests__/__helpers__/clock'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()

describe('the contact cache of an instance', () => {
  it('holds 50,000 entries for an hour', () => {
    const { contacts } = createState()
    expect([contacts.maxEntries, contacts.ttlMs]).toEqual([CONTACT_CACHE_MAX_ENTRIES, CONTACT_CACHE_TTL_MS])
    expect([CONTACT_CACHE_MAX_ENTRIES, CONTACT_CACHE_TTL_MS]).toEqual([50_000, 3_600_000])
  })

  it('forgets a contact an hour after it was stored, on the instance’s clock', () => {
    const clock = new TestClock()
    const contacts = new KnownContacts(createState({ clock }).contacts, 'account', 'POOL_1')
    contacts.remember('email', 'a@x.co', { contactId: 'CID_1' })
    clock.advance(CONTACT_CACHE_TTL_MS - 1)
    expect(contacts.find('email', 'a@x.co')?.contactId).toBe('CID_1')
    clock.advance(1)
    expect(contacts.find('email', 'a@x.co')).toBeUndefined()
  })
})

describe('KnownContacts', () => {
  const cache = () => instance.state.contacts
  const known = () => new KnownContacts(cache(), 'https://iad1.qualtrics.com/API/v3#abcd', 'POOL_1')

  it('keys by account, directory and identifier as compared (email ignoring case, extRef exactly)', () => {
    known().remember('email', 'Ada@X.co', { contactId: 'CID_1' })
    known().remember('extRef', 'abc', { contactId: 'CID_2', extRef: 'abc' })
    expect(known().find('email', ' ada@x.CO')?.contactId).toBe('CID_1')
    expect(known().find('extRef', 'ABC')).toBeUndefined()
    expect(new KnownContacts(cache(), 'other-account', 'POOL_1').find('email', 'ada@x.co')).toBeUndefined()
    expect(
      new KnownContacts(cache(), 'https://iad1.qualtrics.com/API/v3#abcd', 'POOL_2').find('email', 'ada@x.co')
    ).toBeUndefined()
  })

  it('does not give a person the contact of another extRef found by a shared email', () => {
    known().remember('email', 'a@x.co', { contactId: 'CID_1', extRef: 'user-1' })
    expect(known().find('email', 'a@x.co', 'user-2')).toBeUndefined()
    expect(known().find('email', 'a@x.co', 'user-1')?.contactId).toBe('CID_1')
    expect(known().find('email', 'a@x.co')?.contactId).toBe('CID_1')
  })

  it('forgets a value only while it still names the contact Qualtrics said is missing', () => {
    known().remember('email', 'a@x.co', { contactId: 'CID_new' })
    known().forget('email', 'a@x.co', 'CID_old')
    expect(known().find('email', 'a@x.co')?.contactId).toBe('CID_new')
    known().forget('email', 'a@x.co', 'CID_new')
    expect(known().find('email', 'a@x.co')).toBeUndefined()
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
