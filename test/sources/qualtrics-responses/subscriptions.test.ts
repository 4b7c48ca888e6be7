import nock from 'nock'
import { subscribe } from '../../../src/sources/qualtrics-responses'

const ORIGIN = 'https://iad1.qualtrics.com'
const TOKEN = 'qualtrics-token-0123456789'
const KEY = 'shared-key-0123456789abcdef'
const access = { origin: ORIGIN, apiToken: TOKEN }
const URL_OK = 'https://receiver.example.com/qualtrics/responses'

describe('subscribe', () => {
  it('registers the completed-response topic and returns the id', async () => {
    nock(ORIGIN)
      .post('/API/v3/eventsubscriptions', {
        topics: 'surveyengine.completedResponse.SV_abc123',
        publicationUrl: 'http://127.0.0.1:3002/qualtrics/responses',
        encrypt: false,
        sharedKey: KEY
      })
      .matchHeader('x-api-token', TOKEN)
      .reply(200, { result: { id: 'SUB_1' } })
    expect(await subscribe(access, 'SV_abc123', 'http://127.0.0.1:3002/qualtrics/responses', KEY)).toBe('SUB_1')
  })

  it.each([
    ['SV_abc123', 'http://', /--url "http:\/\/" is not a URL/],
    ['SV_abc123', 'http://receiver.example.com/hook', /--url must be https/],
    ['SV_a-b', URL_OK, /is not a survey id/]
  ])('refuses survey %s with url %s before calling Qualtrics', async (survey, url, message) => {
    await expect(subscribe(access, survey, url, KEY)).rejects.toThrow(message)
  })

  it("keeps the shared key and the token out of Qualtrics' error", async () => {
    nock(ORIGIN)
      .post('/API/v3/eventsubscriptions')
      .reply(400, { meta: { error: { errorMessage: `sharedKey ${KEY} refused for token ${TOKEN}` } } })
    const failure = await subscribe(access, 'SV_abc123', URL_OK, KEY).catch((error: Error) => error)
    expect((failure as Error).message).toMatch(
      /Qualtrics answered 400 \(sharedKey \[redacted\] refused for token \[redacted\]\)/
    )
  })

  it("says a brand administrator's token is needed when Qualtrics answers 403", async () => {
    nock(ORIGIN)
      .post('/API/v3/eventsubscriptions')
      .reply(403, { meta: { error: { errorMessage: 'Not authorized', errorCode: 'AUTH_403' } } })
    const failure = await subscribe(access, 'SV_abc123', URL_OK, KEY).catch((error: Error) => error)
    expect((failure as Error).message).toMatch(/brand administrator/)
    expect((failure as Error).message).toMatch(/Not authorized/)
  })
})
