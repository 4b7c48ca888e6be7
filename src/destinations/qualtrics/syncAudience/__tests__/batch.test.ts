import type { SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { isRetryableStatus, ok, qualtrics, qualtricsError, settings } from '../../__tests__/__helpers__/qualtrics'
import {
  AUDIENCE_KEY,
  directoriesWith,
  EMAIL_DEDUP,
  engageIdentify,
  engageTrack,
  LIST_CONTACTS,
  personas
} from '../../__tests__/__helpers__/audience'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'
import { search } from '../../__tests__/__helpers__/sync-audience'

const instance = instanceForEachTest()

describe('syncAudience in a batch', () => {
  const batch = (events: SegmentEvent[], mapping: Record<string, unknown> = {}) =>
    instance.testDestination.testBatchAction('syncAudience', {
      events,
      settings,
      mapping: { __segment_internal_sync_mode: 'mirror', ...mapping },
      useDefaultMappings: true
    })
  type Node = {
    status: number
    body?: Record<string, unknown>
    sent?: unknown
    errormessage?: string
    errortype?: string
  }
  const nodes = () => (instance.testDestination.results[0] as unknown as { multistatus: Node[] }).multistatus

  it('adds distinct people one request each, after one read of the directory; one result per event', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .times(3)
      .reply(200, (_uri, body) => ok({ id: `CID_${(body as { extRef: string }).extRef}` }))
    await batch(
      [1, 2, 3].map((n) =>
        engageIdentify(true, { userId: `u${n}`, traits: { email: `u${n}@x.co`, [AUDIENCE_KEY]: true } })
      )
    )
    expect(nodes().map((n) => [n.status, n.body?.contactId])).toEqual([
      [200, 'CID_u1'],
      [200, 'CID_u2'],
      [200, 'CID_u3']
    ])
    expect(nodes()[0].sent).toEqual({ extRef: 'u1', email: 'u1@x.co' })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('collapses one person’s events (a shared email, extRef or not) to the last one: enter then exit removes', async () => {
    search('user-1', ['CID_1'])
    qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
    await batch([
      engageIdentify(true, {
        userId: null,
        anonymousId: 'anon-1',
        traits: { email: 'ADA@example.com', [AUDIENCE_KEY]: true }
      }),
      engageIdentify(false)
    ])
    expect(nodes().map((n) => [n.status, n.body?.action, n.body?.supersededBy])).toEqual([
      [200, 'removed', 1],
      [200, 'removed', undefined]
    ])
  })

  it('two people who share an email are two people: each is added, one after the other in batch order', async () => {
    directoriesWith({ ...EMAIL_DEDUP, externalDataReference: true, email: false })
    const sent: string[] = []
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2)
      .reply((_uri, body) => {
        sent.push((body as { extRef: string }).extRef)
        return [200, ok({ id: `CID_${(body as { extRef: string }).extRef}` })]
      })
    await batch([
      engageIdentify(true, { userId: 'u1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } }),
      engageIdentify(true, { userId: 'u2', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(sent).toEqual(['u1', 'u2'])
    expect(nodes().map((n) => [n.status, n.body?.action, n.body?.contactId, n.body?.supersededBy])).toEqual([
      [200, 'added', 'CID_u1', undefined],
      [200, 'added', 'CID_u2', undefined]
    ])
  })

  it('one of two people sharing an email exits while the other enters: each gets their own change', async () => {
    directoriesWith({ ...EMAIL_DEDUP, externalDataReference: true, email: false })
    search('u1', ['CID_u1'])
    const removed = qualtrics().delete(`${LIST_CONTACTS}/CID_u1`).reply(200, ok({}))
    const added = qualtrics()
      .post(LIST_CONTACTS, (body) => body.extRef === 'u2')
      .reply(200, ok({ id: 'CID_u2' }))
    await batch([
      engageIdentify(false, { userId: 'u1', traits: { email: 'family@x.co', [AUDIENCE_KEY]: false } }),
      engageIdentify(true, { userId: 'u2', traits: { email: 'family@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(removed.isDone() && added.isDone()).toBe(true)
    expect(nodes().map((n) => [n.status, n.body?.action, n.body?.contactId])).toEqual([
      [200, 'removed', 'CID_u1'],
      [200, 'added', 'CID_u2']
    ])
  })

  it('exit then enter adds', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    await batch([engageTrack(false), engageTrack(true)])
    expect(nodes().map((n) => n.body?.action)).toEqual(['added', 'added'])
    expect(nock.pendingMocks()).toEqual([])
  })

  it('bad events fail alone, before anything is sent; the others go on', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .reply(200, ok({ id: 'CID_1' }))
    await batch([
      engageIdentify('false', { userId: 'u-str', traits: { email: 's@x.co', [AUDIENCE_KEY]: 'false' } }),
      engageIdentify(true),
      engageIdentify(true, {
        userId: 'u-bad',
        traits: { email: 'b@x.co', [AUDIENCE_KEY]: true },
        context: { personas: personas({ external_audience_id: 'nope' }) }
      })
    ])
    expect(nodes().map((n) => [n.status, n.errortype])).toEqual([
      [400, 'INVALID_AUDIENCE_MEMBERSHIP'],
      [200, undefined],
      [400, 'PAYLOAD_VALIDATION_FAILED']
    ])
    expect(nodes()[0].errormessage).toMatch(/the string "false"/)
    expect(nodes()[0].sent).toBeUndefined()
    expect(nock.pendingMocks()).toEqual([])
  })

  it('a failed add is retryable for its event only', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2)
      .reply((_uri, body) =>
        (body as { extRef: string }).extRef === 'u1' ? [503, qualtricsError(503, 'busy')] : [200, ok({ id: 'CID_2' })]
      )
    await batch([
      engageIdentify(true, { userId: 'u1', traits: { email: 'u1@x.co', [AUDIENCE_KEY]: true } }),
      engageIdentify(true, { userId: 'u2', traits: { email: 'u2@x.co', [AUDIENCE_KEY]: true } })
    ])
    expect(nodes().map((n) => n.status)).toEqual([503, 200])
    expect(nodes()[0].sent).toEqual({ extRef: 'u1', email: 'u1@x.co' })
  })

  it('a passing 429 is retried once and the batch goes on', async () => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(LIST_CONTACTS).reply(429, qualtricsError(429, 'slow down'), { 'retry-after': '0' })
    qualtrics()
      .post(LIST_CONTACTS)
      .times(2) // the retry of the one answered 429, and the other person
      .reply((_uri, body) => [200, ok({ id: `CID_${(body as { extRef: string }).extRef}` })])
    await batch(
      [1, 2].map((n) =>
        engageIdentify(true, { userId: `u${n}`, traits: { email: `u${n}@x.co`, [AUDIENCE_KEY]: true } })
      )
    )
    expect(nodes().map((n) => [n.status, n.body?.action])).toEqual([
      [200, 'added'],
      [200, 'added']
    ])
    expect(nock.pendingMocks()).toEqual([])
  })

  it('once a request is still rate limited after its retry, the rest of the batch is not sent', async () => {
    directoriesWith(EMAIL_DEDUP)
    // Four people go out at once, each twice (the request and its one retry): nothing else may be sent.
    const limited = qualtrics()
      .post(LIST_CONTACTS)
      .times(8)
      .reply(429, qualtricsError(429, 'slow down'), { 'retry-after': '0' })
    await batch(
      [1, 2, 3, 4, 5, 6].map((n) =>
        engageIdentify(true, { userId: `u${n}`, traits: { email: `u${n}@x.co`, [AUDIENCE_KEY]: true } })
      )
    )
    expect(limited.isDone()).toBe(true)
    expect(nodes().map((n) => n.status)).toEqual([429, 429, 429, 429, 429, 429])
    expect(
      nodes()
        .slice(4)
        .map((n) => [n.errormessage, n.sent])
    ).toEqual([
      [expect.stringMatching(/^Not sent: Qualtrics rate-limited an earlier request of this batch/), undefined],
      [expect.stringMatching(/^Not sent/), undefined]
    ])
    expect(
      nodes()
        .slice(0, 4)
        .every((n) => isRetryableStatus(n.status) && n.sent !== undefined)
    ).toBe(true)
  })

  it('an undefined membership entry (no trait) is an InvalidAudienceMembershipError, never a 200', async () => {
    await batch([engageIdentify(undefined)])
    expect(nodes()[0]).toMatchObject({ status: 400, errortype: 'INVALID_AUDIENCE_MEMBERSHIP' })
  })
})
