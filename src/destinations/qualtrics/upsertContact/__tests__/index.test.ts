import { createTestEvent } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import {
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  ok,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const CONTACTS = `/API/v3/directories/${DIRECTORY}/contacts`

const identify = (overrides: Record<string, unknown> = {}) =>
  createTestEvent({
    type: 'identify',
    userId: 'user-1',
    traits: { email: 'ada@example.com', phone: '+15550100', firstName: 'Ada', lastName: 'Lovelace' },
    ...overrides
  })

const run = (event = identify(), mapping: Record<string, unknown> = {}, s: Record<string, unknown> = settings) =>
  instance.testDestination.testAction('upsertContact', {
    event,
    settings: s as typeof settings,
    mapping: { directoryId: DIRECTORY, ...mapping },
    useDefaultMappings: true
  })

describe('upsertContact', () => {
  it('creates the contact from the default mappings, sending only fields the event has', async () => {
    const scope = qualtrics()
      .post(CONTACTS, {
        extRef: 'user-1',
        email: 'ada@example.com',
        phone: '+15550100',
        firstName: 'Ada',
        lastName: 'Lovelace'
      })
      .reply(200, ok({ id: 'CID_1' }))
    await run()
    expect(scope.isDone()).toBe(true)
  })

  it('never sends unsubscribed or language the event did not give (no re-subscribing opted-out contacts)', async () => {
    qualtrics()
      .post(CONTACTS, (body) => !('unsubscribed' in body) && !('language' in body))
      .reply(200, ok({ id: 'CID_1' }))
    const [response] = await run()
    expect(response.status).toBe(200)
  })

  it('sends unsubscribed and language when the traits carry them', async () => {
    qualtrics()
      .post(CONTACTS, (body) => body.unsubscribed === true && body.language === 'FR')
      .reply(200, ok({ id: 'CID_1' }))
    await run(identify({ traits: { email: 'a@b.co', unsubscribed: true, language: 'FR' } }))
  })

  it('falls back to context.traits.email', async () => {
    qualtrics()
      .post(CONTACTS, { extRef: 'user-1', email: 'ctx@example.com' })
      .reply(200, ok({ id: 'CID_2' }))
    await run(identify({ traits: {}, context: { traits: { email: 'ctx@example.com' } } }))
  })

  it('uses custom mappings and encodes nested embedded data per key', async () => {
    qualtrics()
      .post(CONTACTS, {
        extRef: 'crm-9',
        email: 'ada@example.com',
        embeddedData: { plan: 'pro', seats: 3, trial: false, address: '{"city":"London"}', tags: '["a","b"]' }
      })
      .reply(200, ok({ id: 'CID_3' }))
    await run(
      identify({
        traits: {
          email: 'ada@example.com',
          plan: 'pro',
          seats: 3,
          trial: false,
          address: { city: 'London' },
          tags: ['a', 'b']
        }
      }),
      {
        extRef: 'crm-9',
        phone: '',
        firstName: '',
        lastName: '',
        embeddedData: {
          plan: { '@path': '$.traits.plan' },
          seats: { '@path': '$.traits.seats' },
          trial: { '@path': '$.traits.trial' },
          address: { '@path': '$.traits.address' },
          tags: { '@path': '$.traits.tags' }
        }
      }
    )
  })

  it('returns the contact id', async () => {
    qualtrics()
      .post(CONTACTS)
      .reply(200, ok({ id: 'CID_9' }))
    const responses = await run()
    expect(responses[0].status).toBe(200)
    expect(instance.testDestination.results.at(-1)?.data).toMatchObject({ contactId: 'CID_9', directoryId: DIRECTORY })
  })

  describe('bad input sends nothing', () => {
    it('a contact with no identifier', async () => {
      await expect(
        run(identify({ userId: null, traits: { firstName: 'Ada' } }), { extRef: { '@path': '$.userId' } })
      ).rejects.toThrow(
        'The contact has no identifier: map at least one of External Data Reference, Email or Phone number.'
      )
    })

    it('a missing directory id', async () => {
      await expect(run(identify(), { directoryId: undefined })).rejects.toThrow(
        "missing the required field 'directoryId'"
      )
    })

    it('an invalid datacenter', async () => {
      await expect(run(identify(), {}, { ...settings, datacenter: 'iad1.evil.com/' })).rejects.toThrow(
        /Datacenter ID .* is not valid/
      )
    })

    it('an embedded-data name over 200 characters', async () => {
      const name = 'n'.repeat(201)
      await expect(run(identify(), { embeddedData: { [name]: 'x' } })).rejects.toThrow(
        /is 201 characters; Qualtrics allows 200/
      )
    })

    it('an embedded-data value over 1,024 characters', async () => {
      await expect(run(identify(), { embeddedData: { note: 'v'.repeat(1025) } })).rejects.toThrow(
        'Contact embedded data: the value of "note" is 1025 characters; Qualtrics allows 1024'
      )
    })

    it('a wrong type', async () => {
      await expect(run(identify(), { unsubscribed: 'sometimes' })).rejects.toThrow(/unsubscribed/)
    })
  })

  describe('errors from Qualtrics', () => {
    it.each(ERROR_STATUSES)('$status', async ({ status, expected, retryable, text }) => {
      qualtrics().post(CONTACTS).reply(status, qualtricsError(status, 'bad thing'))
      const error = await run().catch((e) => e)
      expect(error).toMatchObject(expected)
      expect(error.message).toMatch(text)
      expect(isRetryableStatus(error.status)).toBe(retryable)
    })

    it('404 names the directory', async () => {
      qualtrics().post(CONTACTS).reply(404, qualtricsError(404, 'Not Found'))
      await expect(run()).rejects.toThrow(`directory ${DIRECTORY} was not found`)
    })

    it('a 200 without a contact id: the write happened, so the event succeeds with a note, never a retry', async () => {
      qualtrics().post(CONTACTS).reply(200, ok({}))
      const [response] = await run()
      expect(response.status).toBe(200)
      const body = (instance.testDestination.results.at(-1) as { data?: { note?: string; contactId?: string } }).data
      expect(body?.contactId).toBeUndefined()
      expect(body?.note).toMatch(/no contact id \(request id req-ok\)/)
    })
  })

  describe('in a batch, writes that can reach the same contact go out one after another, in batch order', () => {
    type Body = { extRef?: string; email?: string; phone?: string; firstName?: string }
    const batch = (events: Partial<SegmentEvent>[]) =>
      instance.testDestination.testBatchAction('upsertContact', {
        events: events as SegmentEvent[],
        settings,
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
    const statuses = () =>
      (instance.testDestination.results[0] as unknown as { multistatus: Array<{ status: number }> }).multistatus.map(
        (n) => n.status
      )

    /**
     * Records each request as it arrives and each answer as it is given. An answer is held back a moment (not
     * timed: only the order matters), so a second write sent before the first is answered shows up in the log.
     */
    function recordWrites(count: number) {
      const log: string[] = []
      qualtrics()
        .post(CONTACTS)
        .times(count)
        .reply((_uri, body, callback) => {
          const { extRef, email, phone, firstName } = body as Body
          const name = firstName ?? extRef ?? email ?? phone ?? '?'
          log.push(`sent ${name}`)
          setTimeout(() => {
            log.push(`answered ${name}`)
            callback(null, [200, ok({ id: `CID_${name}` })])
          }, 20)
        })
      return log
    }

    it('two events sharing an email (different extRefs, email case) go out in order: the later one wins', async () => {
      const log = recordWrites(2)
      await batch([
        identify({ userId: 'anon-1', traits: { email: 'ada@example.com', firstName: 'First' } }),
        identify({ userId: 'user-1', traits: { email: 'ADA@example.com', firstName: 'Second' } })
      ])
      expect(statuses()).toEqual([200, 200])
      expect(log).toEqual(['sent First', 'answered First', 'sent Second', 'answered Second'])
    })

    it('a chain a–b–c (email, then phone) is one sequence; an unrelated contact is not held up by it', async () => {
      const log = recordWrites(4)
      await batch([
        identify({ userId: 'u1', traits: { email: 'a@x.co', firstName: 'A' } }),
        identify({ userId: null, traits: { email: 'a@x.co', phone: '+1', firstName: 'B' } }),
        identify({ userId: 'u9', traits: { firstName: 'Other' } }),
        identify({ userId: null, traits: { phone: '+1', firstName: 'C' } })
      ])
      expect(statuses()).toEqual([200, 200, 200, 200])
      const chain = log.filter((entry) => !entry.endsWith('Other'))
      expect(chain).toEqual(['sent A', 'answered A', 'sent B', 'answered B', 'sent C', 'answered C'])
      // The unrelated contact went out alongside the first write of the chain.
      expect(log.slice(0, 2)).toEqual(['sent A', 'sent Other'])
    })

    it('extRefs differing only in case are written one after another (the directory may match them as one)', async () => {
      const log = recordWrites(2)
      await batch([identify({ userId: 'abc', traits: {} }), identify({ userId: 'ABC', traits: {} })])
      expect(log).toEqual(['sent abc', 'answered abc', 'sent ABC', 'answered ABC'])
    })
  })

  it('a write the directory’s deduplication answers with another extRef’s contact says so in its result', async () => {
    // Qualtrics' email rule matches user-1 to the contact anon-1 was written to a moment before.
    qualtrics()
      .post(CONTACTS)
      .times(2)
      .reply(200, ok({ id: 'CID_anon' }))
    await instance.testDestination.testBatchAction('upsertContact', {
      events: [
        identify({ userId: 'anon-1', traits: { email: 'ada@example.com' } }),
        identify({ userId: 'user-1', traits: { email: 'ada@example.com' } })
      ] as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY },
      useDefaultMappings: true
    })
    const [first, second] = (
      instance.testDestination.results[0] as unknown as { multistatus: Array<{ body: Record<string, unknown> }> }
    ).multistatus
    expect(first.body).not.toHaveProperty('note')
    expect(second.body).toMatchObject({
      contactId: 'CID_anon',
      note: expect.stringMatching(/deduplication .*CID_anon.*another External Data Reference/)
    })
  })
})
