import { createRequestClient } from '@segment/actions-core'
import type { RequestClient } from '@segment/actions-core'
import { createState } from '../..'
import { keepForMs, QualtricsClient, tokenCacheKey, tokenUrlFor } from '..'
import { API, ok } from '../../__tests__/__helpers__/qualtrics'
import {
  ACCESS_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  issued,
  oauthSettings,
  SECOND_TOKEN,
  tokenEndpoint,
  tokenEndpointFor,
  whoamiOk,
  withBearer
} from '../../__tests__/__helpers__/oauth'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
/** A client of this test's instance: its clients share the instance's tokens. */
const client = (settings: Record<string, unknown> = {}) =>
  new QualtricsClient(createRequestClient(), { ...oauthSettings, ...settings }, instance.state)

describe('the token request', () => {
  it('posts the client credentials grant with Basic clientId:clientSecret and the scopes, then calls with Bearer', async () => {
    const token = tokenEndpoint().reply(200, issued())
    const api = whoamiOk()
    await expect(client().whoami()).resolves.toEqual({ userName: 'u' })
    expect(token.isDone()).toBe(true)
    expect(api.isDone()).toBe(true)
  })

  it('asks for manage:erasure_requests only when Erase personal data is on', async () => {
    tokenEndpoint(API, true).reply(200, issued())
    whoamiOk()
    await client({ erasePersonalData: true }).whoami()
  })

  it('goes to the datacenter of the settings, or to the loopback override origin', () => {
    expect(tokenUrlFor('https://fra1.qualtrics.com/API/v3')).toBe('https://fra1.qualtrics.com/oauth2/token')
    expect(tokenUrlFor('http://127.0.0.1:4010/API/v3')).toBe('http://127.0.0.1:4010/oauth2/token')
  })

  it('carries the client timeout and never follows a redirect, like every request', async () => {
    const seen: Array<{ url: string; timeout?: unknown; redirect?: unknown }> = []
    const request = (async (url: string, options: { timeout?: unknown; redirect?: unknown }) => {
      seen.push({ url, timeout: options.timeout, redirect: options.redirect })
      const data = url.endsWith('/oauth2/token') ? issued() : ok({ userName: 'u' })
      return { status: 200, data, headers: { get: () => null } }
    }) as unknown as RequestClient
    await new QualtricsClient(request, oauthSettings, createState({ requestTimeoutMs: 1234 })).whoami()
    expect(seen).toEqual([
      { url: `${API}/oauth2/token`, timeout: 1234, redirect: 'manual' },
      { url: `${API}/API/v3/whoami`, timeout: 1234, redirect: 'manual' }
    ])
  })

  it('keys the cache by origin, client ID, a digest of the secret and the scopes, never the secret', () => {
    const key = tokenCacheKey('https://iad1.qualtrics.com/oauth2/token', {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scopes: ['a', 'b']
    })
    expect(key).toContain('https://iad1.qualtrics.com')
    expect(key).toContain(CLIENT_ID)
    expect(key).toContain('a b')
    expect(key).not.toContain(CLIENT_SECRET)
    const other = tokenCacheKey('https://iad1.qualtrics.com/oauth2/token', {
      clientId: CLIENT_ID,
      clientSecret: `${CLIENT_SECRET}x`,
      scopes: ['a', 'b']
    })
    expect(other).not.toBe(key)
  })
})

describe('the token cache', () => {
  it('serves later calls and other clients of the process with one token', async () => {
    tokenEndpoint().once().reply(200, issued())
    const api = withBearer()
      .get('/API/v3/whoami')
      .times(3)
      .reply(200, ok({ userName: 'u' }))
    const first = client()
    await first.whoami()
    await first.whoami()
    await client().whoami()
    expect(api.isDone()).toBe(true)
  })

  it('makes one token request for concurrent first calls, even when the token may not be kept', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const urls: string[] = []
    const request = (async (url: string) => {
      urls.push(url)
      if (url.endsWith('/oauth2/token')) {
        await gate
        // No expires_in: nothing is cached, so only sharing the pending request explains a single fetch.
        return { status: 200, data: { access_token: ACCESS_TOKEN }, headers: { get: () => null } }
      }
      return { status: 200, data: ok({ userName: 'u' }), headers: { get: () => null } }
    }) as unknown as RequestClient
    const calls = [1, 2, 3].map(() => new QualtricsClient(request, oauthSettings, instance.state).whoami())
    await new Promise((resolve) => setImmediate(resolve))
    release()
    await Promise.all(calls)
    expect(urls.filter((url) => url.endsWith('/oauth2/token'))).toHaveLength(1)
    expect(urls.filter((url) => url.endsWith('/whoami'))).toHaveLength(3)
  })

  it('fetches a new token once expires_in less 60 s has passed', async () => {
    tokenEndpoint().reply(200, issued(ACCESS_TOKEN, 3600))
    whoamiOk(ACCESS_TOKEN)
    await client().whoami()
    instance.clock.advance(3539_000)
    whoamiOk(ACCESS_TOKEN)
    await client().whoami()
    instance.clock.advance(2_000)
    tokenEndpoint().reply(200, issued(SECOND_TOKEN, 3600))
    const api = whoamiOk(SECOND_TOKEN)
    await client().whoami()
    expect(api.isDone()).toBe(true)
  })

  it('keeps a short-lived token (expires_in under 60 s) for half its life rather than never or too long', async () => {
    expect(keepForMs(3600)).toBe(3540_000)
    expect(keepForMs(120)).toBe(60_000)
    expect(keepForMs(30)).toBe(15_000)
    expect(keepForMs(1)).toBe(500)
    for (const unusable of [0, -5, undefined, Number.NaN]) expect(keepForMs(unusable)).toBe(0)
    tokenEndpoint().reply(200, issued(ACCESS_TOKEN, 30))
    whoamiOk(ACCESS_TOKEN)
    await client().whoami()
    instance.clock.advance(14_000)
    whoamiOk(ACCESS_TOKEN)
    await client().whoami()
    instance.clock.advance(2_000)
    tokenEndpoint().reply(200, issued(SECOND_TOKEN, 30))
    const api = whoamiOk(SECOND_TOKEN)
    await client().whoami()
    expect(api.isDone()).toBe(true)
  })
})

describe('a 401 to a call made with a Bearer token', () => {
  it('drops the token, fetches a new one and retries the call once', async () => {
    tokenEndpoint().reply(200, issued(ACCESS_TOKEN))
    withBearer(ACCESS_TOKEN).get('/API/v3/whoami').reply(401, {})
    tokenEndpoint().reply(200, issued(SECOND_TOKEN))
    withBearer(SECOND_TOKEN)
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'u' }))
    const c = client()
    await expect(c.whoami()).resolves.toEqual({ userName: 'u' })
    // The new token is the one kept: the next call needs no token request.
    whoamiOk(SECOND_TOKEN)
    await c.whoami()
  })

  it('is final after the retry, naming the datacenter, with no third request', async () => {
    tokenEndpoint().reply(200, issued(ACCESS_TOKEN))
    withBearer(ACCESS_TOKEN).get('/API/v3/whoami').reply(401, {})
    tokenEndpoint().reply(200, issued(SECOND_TOKEN))
    withBearer(SECOND_TOKEN).get('/API/v3/whoami').reply(401, {})
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' })
    expect(error.message).toMatch(/refused a freshly issued OAuth access token \(401\).*Datacenter ID "iad1"/)
  })
})

describe('token request failures', () => {
  const fails = async (status: number, body: unknown) => {
    tokenEndpoint().reply(status, body as Record<string, unknown>)
    // No API call is declared: a failed token request must send nothing else.
    return client()
      .whoami()
      .catch((e) => e)
  }

  it('invalid_client: the Client ID or secret was rejected (final 401)', async () => {
    const error = await fails(401, { error: 'invalid_client', error_description: 'Client authentication failed' })
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' })
    expect(error.message).toMatch(/^Client ID or secret rejected by Qualtrics \(401 invalid_client/)
  })

  // What a refused scope leaves working is oauth-scopes.test.ts's; here, the final error of a call that needs it.
  it('invalid_scope: a call that needs the refused scope fails naming it and the call (final 400)', async () => {
    const refusal = { error: 'invalid_scope', error_description: 'scope manage:directory_contacts' }
    tokenEndpoint().reply(400, refusal)
    tokenEndpointFor(['manage:directory_contacts']).reply(400, refusal)
    const error = await client()
      .searchContacts('POOL_1', 'extRef', 'u1')
      .catch((e) => e)
    expect(error).toMatchObject({ status: 400, code: 'OAUTH_SCOPE_MISSING' })
    expect(error.message).toMatch(/lacks the scope manage:directory_contacts, which the call to search the directory/)
  })

  it('invalid_scope without a name, twice: names the scope the call asked for alone', async () => {
    tokenEndpoint().reply(400, { error: 'invalid_scope' })
    tokenEndpointFor(['read:directories']).reply(400, { error: 'invalid_scope' })
    const error = await client()
      .whoami()
      .catch((e) => e)
    expect(error.status).toBe(400)
    expect(error.message).toMatch(/lacks the scope read:directories, which the call to check the OAuth client needs/)
  })

  it('invalid_scope for the erasure scope says why it was asked for', async () => {
    const refusal = { error: 'invalid_scope', error_description: 'manage:erasure_requests' }
    tokenEndpoint(API, true).reply(400, refusal)
    tokenEndpointFor(['manage:erasure_requests']).reply(400, refusal)
    const error = await client({ erasePersonalData: true })
      .erasePersonalData(['a@x.co'])
      .catch((e) => e)
    expect(error.message).toMatch(/lacks the scope manage:erasure_requests.*"Erase personal data" is on/)
  })

  it.each([
    [404, {}],
    [401, { error: 'unknown' }]
  ])('a wrong datacenter (token endpoint %s) says so (final 401)', async (status, body) => {
    const error = await fails(status, body)
    expect(error).toMatchObject({ status: 401 })
    expect(error.message).toMatch(/datacenter "iad1" does not know this OAuth client.*Datacenter ID is probably wrong/)
  })

  it.each([429, 500, 503])('%s is retryable', async (status) => {
    const error = await fails(status, {})
    expect(error).toMatchObject({ status, code: 'RETRYABLE_ERROR' })
    expect(error.message).toMatch(/could not issue an OAuth access token/)
  })

  it('a timeout or a dropped connection is retryable', async () => {
    for (const failure of [
      Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    ]) {
      const request = (() => Promise.reject(failure)) as unknown as RequestClient
      const error = await new QualtricsClient(request, oauthSettings, instance.state).whoami().catch((e) => e)
      expect(error.constructor.name).toBe('RetryableError')
      expect(error.message).toMatch(/could not issue an OAuth access token: (no answer within|the connection failed)/)
    }
  })

  it.each([
    ['no access_token', { expires_in: 3600 }],
    ['an access_token that cannot go in a header', { access_token: 'a\nb' }],
    ['a token_type other than Bearer', { access_token: 'x', token_type: 'mac' }]
  ])('a 2xx with %s is final', async (_name, body) => {
    const error = await fails(200, body)
    expect(error.status).toBe(422)
    expect(error.message).toMatch(/issue an OAuth access token without/)
  })
})
