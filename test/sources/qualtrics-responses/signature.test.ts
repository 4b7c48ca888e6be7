import { createHmac } from 'node:crypto'
import {
  callbackFields,
  checkSignature,
  parseCompletedResponse,
  signMessage
} from '../../../src/sources/qualtrics-responses'

const KEY = 'shared-key-0123456789'
const MSG = JSON.stringify({ Status: 'Complete', SurveyID: 'SV_abc123', ResponseID: 'R_xyz789', BrandID: 'brand' })

describe('checkSignature', () => {
  const good = createHmac('sha512', KEY).update(MSG).digest('hex')

  it('accepts the hex HMAC-SHA512 of MSG under the shared key, in either case', () => {
    expect(signMessage(KEY, MSG)).toBe(good)
    expect(checkSignature(KEY, MSG, good)).toBe('ok')
    expect(checkSignature(KEY, MSG, good.toUpperCase())).toBe('ok')
  })

  it.each([
    ['missing', undefined],
    ['missing', ''],
    ['not-hex', 'z'.repeat(128)],
    ['not-hex', `${good.slice(0, 127)}-`],
    ['wrong-length', good.slice(0, 126)],
    ['wrong-length', `${good}00`],
    ['wrong-length', createHmac('sha256', KEY).update(MSG).digest('hex')]
  ])('refuses a malformed HMAC as %s', (expected, hmac) => {
    expect(checkSignature(KEY, MSG, hmac)).toBe(expected)
  })

  it('refuses an HMAC made with another key, or over another MSG', () => {
    expect(checkSignature(KEY, MSG, signMessage('another-key-000000', MSG))).toBe('mismatch')
    expect(checkSignature(KEY, MSG, signMessage(KEY, `${MSG} `))).toBe('mismatch')
    // One flipped digit.
    const flipped = `${good.slice(0, 10)}${good[10] === '0' ? '1' : '0'}${good.slice(11)}`
    expect(checkSignature(KEY, MSG, flipped)).toBe('mismatch')
  })
})

describe('the callback form', () => {
  it('reads Topic, MSG and HMAC from a form-encoded body', () => {
    const body = new URLSearchParams({ Topic: 't', MSG: MSG, HMAC: 'ab', Other: 'x' }).toString()
    expect(callbackFields(body)).toEqual({ topic: 't', msg: MSG, hmac: 'ab' })
    expect(callbackFields('')).toEqual({ topic: undefined, msg: undefined, hmac: undefined })
  })

  it('parses a completed-response MSG, with or without the brand prefix on the topic', () => {
    expect(parseCompletedResponse('brand.surveyengine.completedResponse.SV_abc123', MSG)).toMatchObject({
      surveyId: 'SV_abc123',
      responseId: 'R_xyz789',
      brandId: 'brand'
    })
    expect(parseCompletedResponse('surveyengine.completedResponse.SV_abc123', MSG).surveyId).toBe('SV_abc123')
  })

  it.each([
    ['brand.controlpanel.activateSurvey', MSG, /topic "brand.controlpanel.activateSurvey" is not/],
    [undefined, MSG, /topic "" is not/],
    ['surveyengine.completedResponse.SV_abc123', 'not json', /MSG is not JSON/],
    ['surveyengine.completedResponse.SV_abc123', '[1]', /MSG is not a JSON object/],
    ['surveyengine.completedResponse.SV_abc123', '{"SurveyID":"SV_abc123"}', /ResponseID is not a response id/],
    ['surveyengine.completedResponse.SV_abc123', '{"SurveyID":"x","ResponseID":"R_1"}', /SurveyID is not a survey id/],
    ['surveyengine.completedResponse.SV_other1', MSG, /is not the topic's survey SV_other1/]
  ])('refuses topic %s with MSG %s', (topic, msg, reason) => {
    expect(() => parseCompletedResponse(topic, msg)).toThrow(reason)
  })
})
