import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { mapWithConcurrency } from '../batching'
import { API_TOKEN, DIRECTORY, ok, qualtrics, qualtricsError, settings } from './__helpers__/qualtrics'
import { CONTACTS } from './__helpers__/transactions'
import { batchesOn } from './__helpers__/batching'
import { instanceForEachTest } from './__helpers__/instance'

const instance = instanceForEachTest()
const { multistatus, statuses } = batchesOn(instance)

describe('upsertContact batch', () => {
  const identify = (userId: string | null, traits: JSONObject): Partial<SegmentEvent> => ({
    type: 'identify',
    userId,
    traits
  })
  const contactsBatch = (events: Partial<SegmentEvent>[]) =>
    instance.testDestination.testBatchAction('upsertContact', {
      events: events as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY, embeddedData: { plan: { '@path': '$.traits.plan' } } },
      useDefaultMappings: true
    })

  it('merges back-to-back identical identities (the later value wins) and fails a contact without an identifier alone', async () => {
    const merged = qualtrics()
      .post(CONTACTS, {
        extRef: 'u1',
        email: 'A@x.co',
        firstName: 'Ada',
        lastName: 'King',
        embeddedData: { plan: 'pro' }
      })
      .reply(200, ok({ id: 'CID_u1' }))
    const other = qualtrics()
      .post(CONTACTS, { extRef: 'u2', email: 'b@x.co' })
      .reply(200, ok({ id: 'CID_u2' }))
    await contactsBatch([
      identify('u1', { email: 'a@x.co', firstName: 'Ada', lastName: 'Byron', plan: 'free' }),
      identify('u1', { email: 'A@x.co', lastName: 'King', plan: 'pro' }),
      identify('u2', { email: 'b@x.co' }),
      identify(null, { firstName: 'Nobody' })
    ])
    expect(statuses()).toEqual([200, 200, 200, 400])
    expect(merged.isDone() && other.isDone()).toBe(true)
    expect(multistatus()[0].body).toEqual({ contactId: 'CID_u1', directoryId: DIRECTORY })
    expect(multistatus()[3].errormessage).toMatch(/no identifier/)
  })

  it('reports each contact’s failure with its own status', async () => {
    qualtrics().post(CONTACTS, { extRef: 'u1' }).reply(503, qualtricsError(503, 'Down'))
    qualtrics().post(CONTACTS, { extRef: 'u2' }).reply(403, qualtricsError(403, 'No permission'))
    qualtrics()
      .post(CONTACTS, { extRef: 'u3' })
      .reply(200, ok({ id: 'CID_3' }))
    await contactsBatch([identify('u1', {}), identify('u2', {}), identify('u3', {})])
    expect(statuses()).toEqual([503, 403, 200])
  })
})

describe('triggerXflow batch', () => {
  const HOST = 'https://iad1.qualtrics.com'
  const PATH = '/inbound-event/v1/events/json/triggers?urlTokenId=abc'

  it('runs one workflow per event; a foreign URL and a 503 fail alone', async () => {
    const runs = nock(HOST, { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(PATH, (body) => body.n === 1 || body.n === 3)
      .times(2)
      .reply(202, {})
    nock(HOST).post(PATH, { n: 4 }).reply(503, qualtricsError(503, 'Unavailable'))
    await instance.testDestination.testBatchAction('triggerXflow', {
      events: [1, 2, 3, 4].map((n) => ({
        type: 'track',
        event: 'Survey Completed',
        properties: n === 2 ? { n, bad: true } : { n }
      })) as SegmentEvent[],
      settings,
      mapping: {
        workflowUrl: {
          '@if': {
            exists: { '@path': '$.properties.bad' },
            then: 'https://evil.example.com/hook',
            else: `${HOST}${PATH}`
          }
        },
        eventPayload: { n: { '@path': '$.properties.n' } }
      }
    })
    expect(statuses()).toEqual([200, 400, 200, 503])
    expect(multistatus()[1].errormessage).toMatch(/not a Qualtrics JSON Event URL/)
    expect(runs.isDone()).toBe(true)
  })

  it('rejects a foreign workflow URL per event without sending it', async () => {
    await instance.testDestination.testBatchAction('triggerXflow', {
      events: [{ type: 'track', event: 'x' }] as SegmentEvent[],
      settings,
      mapping: { workflowUrl: 'https://evil.example.com/hook' }
    })
    expect(statuses()).toEqual([400])
    expect(multistatus()[0].errormessage).toMatch(/not a Qualtrics JSON Event URL/)
  })
})

describe('mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let inFlight = 0
    let most = 0
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, n))
      inFlight--
      return n * 10
    })
    expect(results).toEqual([50, 10, 40, 20, 30])
    expect(most).toBe(2)
  })
})
