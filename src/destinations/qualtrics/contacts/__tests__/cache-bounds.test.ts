import { createState } from '../..'
import { boundedPart, KEY_PART_MAX_CHARS, KnownContacts } from '../contact-cache'
import { TestClock } from '../../__tests__/__helpers__/clock'
import '../../__tests__/__helpers__/harness'

describe('the contact cache’s bounds', () => {
  const cache = createState({ clock: new TestClock() }).contacts
  const known = new KnownContacts(cache, 'https://iad1.qualtrics.com/API/v3#digest', 'POOL_' + 'd'.repeat(500))

  it('keys a long value by its digest: the key stays short, the same value finds its contact', () => {
    const email = `${'x'.repeat(10_000)}@example.com`
    expect(known.key('email', email).length).toBeLessThan(4 * (KEY_PART_MAX_CHARS + 1))
    known.remember('email', email, { contactId: 'CID_long' })
    expect(known.find('email', email.toUpperCase())).toEqual({ contactId: 'CID_long' })
    expect(known.find('email', `${'x'.repeat(9_999)}y@example.com`)).toBeUndefined()
  })

  it('compares a long extRef by its digest, and never takes a short value for a digest', () => {
    const extRef = 'u'.repeat(1_000)
    known.remember('phone', '+15551234', { contactId: 'CID_1', extRef })
    expect(known.find('phone', '+15551234', extRef)).toMatchObject({ contactId: 'CID_1' })
    expect(known.find('phone', '+15551234', `${extRef}v`)).toBeUndefined()
    const digest = boundedPart('v'.repeat(100))
    expect(boundedPart(digest)).not.toBe(digest)
    expect(boundedPart('short')).toBe('short')
  })

  it('does not keep a contact id far longer than Qualtrics gives', () => {
    known.remember('extRef', 'user-1', { contactId: 'C'.repeat(65) })
    expect(known.find('extRef', 'user-1')).toBeUndefined()
  })
})
