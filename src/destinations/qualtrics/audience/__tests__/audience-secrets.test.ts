import type { SegmentEvent } from '@segment/actions-core'
import { API_TOKEN, DIRECTORY, MAILING_LIST, qualtrics, settings } from '../../__tests__/__helpers__/qualtrics'
import {
  DIR,
  directoriesWith,
  EMAIL_DEDUP,
  failure,
  engageIdentify,
  EXTERNAL_ID,
  LIST,
  LIST_CONTACTS,
  SEARCH
} from '../../__tests__/__helpers__/audience'
import {
  ACCESS_TOKEN,
  BASIC,
  CLIENT_SECRET,
  issued,
  oauthSettings,
  tokenEndpoint,
  withBearer
} from '../../__tests__/__helpers__/oauth'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

// The audience calls follow the one client's redaction (secrets.test.ts): Qualtrics echoing a secret back never
// puts it into an error or a batch result (what the local server answers: test/server/secrets-reports.test.ts).
const instance = instanceForEachTest()
const echo = (status: number, secret = API_TOKEN) => ({
  meta: { httpStatus: `${status}`, requestId: `token ${secret}`, error: { errorMessage: `bad token ${secret}` } }
})
const everything = (error: unknown) =>
  `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error, Object.getOwnPropertyNames(error))}`
describe('the API token in audience calls', () => {
  it.each([400, 401, 403, 404, 429, 500])('is not in a createAudience error (%s)', async (status) => {
    directoriesWith(EMAIL_DEDUP)
    qualtrics().post(`${DIR}/mailinglists`).reply(status, echo(status))
    const error = await failure(
      instance.testDestination.createAudience({
        settings,
        audienceSettings: { directoryId: DIRECTORY },
        audienceName: 'A'
      })
    )
    expect(error.message).toContain('[redacted]')
    expect(everything(error)).not.toContain(API_TOKEN)
  })

  it('is not in a getAudience error', async () => {
    qualtrics().get(LIST).reply(500, echo(500))
    const error = await failure(instance.testDestination.getAudience({ settings, externalId: EXTERNAL_ID }))
    expect(everything(error)).not.toContain(API_TOKEN)
  })

  it.each([
    ['an add', true, () => directoriesWith(EMAIL_DEDUP) && qualtrics().post(LIST_CONTACTS).reply(503, echo(503))],
    [
      'a removal',
      false,
      () =>
        qualtrics()
          .post(SEARCH)
          .query(true)
          .reply(200, { result: { elements: [{ id: 'CID_1' }] } }) &&
        qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(400, echo(400))
    ]
  ])('is not in the batch result of %s', async (_, member, mock) => {
    mock()
    await instance.testDestination.testBatchAction('syncAudience', {
      events: [engageIdentify(member)] as SegmentEvent[],
      settings,
      useDefaultMappings: true
    })
    const results = JSON.stringify(instance.testDestination.results)
    expect(results).toContain('[redacted]')
    expect(results).not.toContain(API_TOKEN)
  })
})

describe('the OAuth client secret and access token in audience calls', () => {
  it('are not in a syncAudience error, even when Qualtrics echoes the access token', async () => {
    tokenEndpoint().reply(200, issued(ACCESS_TOKEN))
    withBearer(ACCESS_TOKEN)
      .get('/API/v3/directories')
      .reply(200, { result: { elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { email: true } }] } })
    withBearer(ACCESS_TOKEN)
      .post(`/API/v3/directories/${DIRECTORY}/mailinglists/${MAILING_LIST}/contacts`)
      .reply(500, echo(500, ACCESS_TOKEN))
    const error = await failure(
      instance.testDestination.testAction('syncAudience', {
        event: engageIdentify(true),
        settings: oauthSettings,
        useDefaultMappings: true
      })
    )
    const text = everything(error)
    for (const secret of [CLIENT_SECRET, BASIC.slice('Basic '.length), ACCESS_TOKEN]) expect(text).not.toContain(secret)
  })
})
