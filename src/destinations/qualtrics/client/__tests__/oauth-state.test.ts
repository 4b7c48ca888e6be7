import { createRequestClient } from '@segment/actions-core'
import nock from 'nock'
import { QualtricsClient, tokenCacheKey, tokenUrlFor } from '..'
import type { ClientOptions } from '..'
import { TEST_START } from '../../__tests__/__helpers__/clock'
import { API } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest, qualtricsUnderTest } from '../../__tests__/__helpers__/instance'
import {
  ACCESS_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  fakeStateContext,
  issued,
  oauthSettings,
  SECOND_TOKEN,
  tokenEndpoint,
  whoamiOk,
  withBearer
} from '../../__tests__/__helpers__/oauth'

const instance = instanceForEachTest()
/** A client of this test's instance, or of another (another process) with `elsewhere`. */
const client = (options: ClientOptions, elsewhere = false) =>
  new QualtricsClient(
    createRequestClient(),
    oauthSettings,
    (elsewhere ? qualtricsUnderTest() : instance).state,
    options
  )

describe('the runtime state (stateContext)', () => {
  it('keeps the token for later invocations and uses a kept one without a token request', async () => {
    const state = fakeStateContext()
    tokenEndpoint().reply(200, issued(ACCESS_TOKEN, 3600))
    whoamiOk()
    await client({ stateContext: state }).whoami()
    expect(state.setResponseContext).toHaveBeenCalledWith(expect.stringContaining(CLIENT_ID), expect.any(String), {
      second: 3540
    })
    const [[key, value]] = state.setResponseContext.mock.calls
    expect(key).not.toContain(CLIENT_SECRET)
    expect(JSON.parse(value).token).toBe(ACCESS_TOKEN)

    // Another process: nothing in its memory, the state has the token.
    const api = whoamiOk()
    await client({ stateContext: state }, true).whoami()
    expect(api.isDone()).toBe(true)
    expect(state.getRequestContext).toHaveBeenCalledWith(key)
  })

  it('does not trust a kept token blindly: a 401 drops it from the state too', async () => {
    const state = fakeStateContext()
    const key = tokenCacheKey(tokenUrlFor(`${API}/API/v3`), {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scopes: [
        'read:directories',
        'read:mailing_lists',
        'manage:directory_contacts',
        'manage:contact_transactions',
        'write:mailing_list_contacts'
      ]
    })
    state.values.set(key, JSON.stringify({ token: 'revoked-token-0000', usableUntil: TEST_START + 600_000 }))
    withBearer('revoked-token-0000').get('/API/v3/whoami').reply(401, {})
    tokenEndpoint().reply(200, issued(SECOND_TOKEN))
    whoamiOk(SECOND_TOKEN)
    await client({ stateContext: state }).whoami()
    expect(state.setResponseContext).toHaveBeenCalledWith(key, '', { second: 1 })
    expect(JSON.parse(state.values.get(key) as string).token).toBe(SECOND_TOKEN)
  })

  it.each([
    ['garbage', 'not json'],
    ['an expired token', JSON.stringify({ token: 'old-token-000', usableUntil: 1 })],
    ['a token with a line break', JSON.stringify({ token: 'a\nb', usableUntil: TEST_START + 600_000 })]
  ])('ignores %s in the state and fetches', async (_name, stored) => {
    const state = { getRequestContext: () => stored, setResponseContext: jest.fn() }
    tokenEndpoint().reply(200, issued())
    whoamiOk()
    await client({ stateContext: state }).whoami()
  })

  it('works with the empty stateContext testAction passes, and with one that throws', async () => {
    const throwing = {
      getRequestContext: () => {
        throw new Error('state unavailable')
      },
      setResponseContext: () => {
        throw new Error('state unavailable')
      }
    }
    for (const stateContext of [{}, throwing]) {
      tokenEndpoint().reply(200, issued())
      whoamiOk()
      // A new instance each time: nothing kept in memory, so the token comes from the state or a request.
      await client({ stateContext: stateContext as never }, true).whoami()
    }
    expect(nock.pendingMocks()).toEqual([])
  })
})
