import { receiverConfigFromEnv } from '../../../src/sources/qualtrics-responses'

const required = { QUALTRICS_SUBSCRIPTION_KEY: 'shared-key-0123', SEGMENT_WRITE_KEY: 'write-key-0123' }

describe('receiverConfigFromEnv', () => {
  it('needs the shared key and the write key, and says which is missing without showing a value', () => {
    expect(() => receiverConfigFromEnv({ SEGMENT_WRITE_KEY: 'w' })).toThrow('QUALTRICS_SUBSCRIPTION_KEY is not set')
    expect(() => receiverConfigFromEnv({ QUALTRICS_SUBSCRIPTION_KEY: 'k' })).toThrow('SEGMENT_WRITE_KEY is not set')
    expect(() => receiverConfigFromEnv({ ...required, SEGMENT_API_HOST: 'http://10.0.0.1' })).toThrow(/must be https/)
  })

  it('defaults to the US endpoint, the default event name, the external data reference and no identify', () => {
    expect(receiverConfigFromEnv(required)).toEqual({
      sharedKey: 'shared-key-0123',
      writeKey: 'write-key-0123',
      segmentHost: 'https://api.segment.io',
      mapping: {
        eventName: 'Survey Response Completed',
        userIdField: undefined,
        anonymousIdField: 'anonymousId',
        traitAnswers: []
      }
    })
  })

  it('reads the region, event name, identity fields and trait answers', () => {
    const config = receiverConfigFromEnv({
      ...required,
      SEGMENT_API_HOST: 'eu',
      RESPONSES_EVENT_NAME: ' NPS Answered ',
      RESPONSES_USER_ID_FIELD: 'crmId',
      RESPONSES_ANONYMOUS_ID_FIELD: 'segmentAnonymousId',
      RESPONSES_TRAIT_ANSWERS: 'nps_score, nps_comment_TEXT,,'
    })
    expect(config.segmentHost).toBe('https://events.eu1.segmentapis.com')
    expect(config.mapping).toEqual({
      eventName: 'NPS Answered',
      userIdField: 'crmId',
      anonymousIdField: 'segmentAnonymousId',
      traitAnswers: ['nps_score', 'nps_comment_TEXT']
    })
  })
})
