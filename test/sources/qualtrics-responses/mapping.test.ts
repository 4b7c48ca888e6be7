import { buildCalls, DEFAULT_EVENT_NAME } from '../../../src/sources/qualtrics-responses'
import type { MappingOptions } from '../../../src/sources/qualtrics-responses'

const callback = {
  topic: 'b.surveyengine.completedResponse.SV_abc',
  surveyId: 'SV_abc',
  responseId: 'R_123',
  completedDate: '2026-11-30T10:00:00Z'
}
const options: MappingOptions = { eventName: DEFAULT_EVENT_NAME, anonymousIdField: 'anonymousId', traitAnswers: [] }
const outline = { name: 'NPS', exportTags: { QID1: 'nps_score', QID2: 'comment' } }
const NOW = new Date('2026-12-01T00:00:00Z')

function response(values: Record<string, unknown>, labels: Record<string, unknown> = {}) {
  return { responseId: 'R_123', values, labels }
}

/** The response values without an external data reference. */
const withoutUserId = () => Object.fromEntries(Object.entries(base).filter(([key]) => key !== 'externalDataReference'))

const base = {
  endDate: '2026-11-30T10:00:05Z',
  finished: 1,
  progress: 100,
  recipientEmail: 'ada@example.com',
  externalDataReference: 'user-1',
  QID1: 9,
  QID2_TEXT: 'great',
  QID7: 'untagged',
  orderId: 'ord-1'
}

describe('buildCalls', () => {
  it('makes a track with the external data reference as userId, answers under their export tags', () => {
    const [track, ...rest] = buildCalls(callback, response(base, { QID1: '9' }), outline, options, NOW)
    expect(rest).toEqual([])
    expect(track).toEqual({
      type: 'track',
      event: 'Survey Response Completed',
      messageId: 'R_123',
      userId: 'user-1',
      timestamp: '2026-11-30T10:00:05.000Z',
      receivedAt: NOW.toISOString(),
      sentAt: NOW.toISOString(),
      context: { library: { name: 'qualtrics-responses', version: '1.0.0' } },
      properties: {
        surveyId: 'SV_abc',
        surveyName: 'NPS',
        responseId: 'R_123',
        completedDate: '2026-11-30T10:00:05.000Z',
        recipientEmail: 'ada@example.com',
        embeddedData: { orderId: 'ord-1' },
        answers: { nps_score: 9, comment_TEXT: 'great', QID7: 'untagged' },
        answerLabels: { nps_score: '9' }
      }
    })
  })

  it('takes the userId from a mapped embedded-data field, and the event name from the options', () => {
    const [track] = buildCalls(
      callback,
      response({ ...base, crmId: 'crm-77' }),
      outline,
      { ...options, userIdField: 'crmId', eventName: 'NPS Answered' },
      NOW
    )
    expect(track).toMatchObject({ userId: 'crm-77', event: 'NPS Answered' })
  })

  it('falls back to an anonymousId from embedded data when there is no userId', () => {
    const anonymous = withoutUserId()
    const [track] = buildCalls(callback, response({ ...anonymous, anonymousId: 'anon-5' }), outline, options, NOW)
    expect(track.userId).toBeUndefined()
    expect(track.anonymousId).toBe('anon-5')
  })

  it('refuses a response with no identity, saying where it looked', () => {
    const anonymous = withoutUserId()
    expect(() => buildCalls(callback, response(anonymous), outline, options, NOW)).toThrow(
      'response R_123 has no identity: neither an external data reference nor embedded data "anonymousId"'
    )
  })

  it('adds an identify with the chosen answers as traits (and the email), when any was answered', () => {
    const calls = buildCalls(
      callback,
      response(base),
      outline,
      { ...options, traitAnswers: ['nps_score', 'absent'] },
      NOW
    )
    expect(calls[1]).toMatchObject({
      type: 'identify',
      messageId: 'R_123-identify',
      userId: 'user-1',
      traits: { email: 'ada@example.com', nps_score: 9 }
    })
    expect(buildCalls(callback, response(base), outline, { ...options, traitAnswers: ['absent'] }, NOW)).toHaveLength(1)
  })

  it("refuses a call over Segment's 32 KB limit", () => {
    expect(() =>
      buildCalls(callback, response({ ...base, QID2_TEXT: 'x'.repeat(33 * 1024) }), outline, options, NOW)
    ).toThrow(/the track for response R_123 is \d+ bytes, over Segment's 32768 per call/)
  })
})
