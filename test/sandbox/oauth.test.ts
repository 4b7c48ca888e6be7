import { SandboxClock } from '../../src/sandbox/clock'
import { OAuthClients, OAuthError } from '../../src/sandbox/oauth'
import type { Sandbox } from '../../src/sandbox'
import {
  BOB_CLIENT_ID,
  BOB_CLIENT_SECRET,
  CLIENT_ID,
  CLIENT_SCOPES,
  CLIENT_SECRET,
  DIR,
  TOKEN,
  USER_NAME,
  WORKFLOW,
  accessToken,
  api,
  basic,
  bearer,
  call,
  expectQualtricsError,
  requestToken,
  start,
  control
} from './helpers'

const form = (fields: Record<string, string>) => new URLSearchParams(fields)

describe('OAuthClients (store level)', () => {
  let now = 0
  const clients = () =>
    new OAuthClients(
      [{ clientId: 'c', clientSecret: 's', userId: 'UR_1', scopes: ['read:directories', 'manage:directory_contacts'] }],
      () => now
    )
  const grant = form({ grant_type: 'client_credentials' })

  it('issues a Bearer token for the client, with its full scopes when none are asked for', () => {
    const issued = clients().issue({ clientId: 'c', clientSecret: 's', form: grant })
    expect(issued).toEqual({
      access_token: expect.stringMatching(/^[\w-]{40,}$/),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read:directories manage:directory_contacts'
    })
  })

  it('refuses a wrong secret and an unknown client as invalid_client (401)', () => {
    for (const [clientId, clientSecret] of [
      ['c', 'wrong'],
      ['nobody', 's'],
      [undefined, undefined]
    ]) {
      let error: unknown
      try {
        clients().issue({ clientId, clientSecret, form: grant })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(OAuthError)
      expect(error).toMatchObject({ code: 'invalid_client', status: 401 })
    }
  })

  it('checks a token until it expires on the clock, and knows no other', () => {
    now = 1_000
    const store = clients()
    const { access_token } = store.issue({ clientId: 'c', clientSecret: 's', form: grant })
    now += 3600 * 1000 - 1
    expect(store.check(access_token)).toEqual({ userId: 'UR_1', scopes: expect.any(Set) })
    now += 1
    expect(store.check(access_token)).toBe('expired')
    expect(store.check('made-up')).toBe('unknown')
  })

  it('follows the time scale: at 60, a token of an hour lasts a real minute', () => {
    let real = 0
    const clock = new SandboxClock(60, () => real)
    const store = new OAuthClients(
      [{ clientId: 'c', clientSecret: 's', userId: 'UR_1', scopes: ['read:directories'] }],
      () => clock.now()
    )
    const { access_token } = store.issue({ clientId: 'c', clientSecret: 's', form: grant })
    real += 59_999
    expect(store.check(access_token)).not.toBe('expired')
    real += 1
    expect(store.check(access_token)).toBe('expired')
  })

  it('gives a subset of scopes when asked, and refuses a scope the client lacks', () => {
    const store = clients()
    const subset = store.issue({
      clientId: 'c',
      clientSecret: 's',
      form: form({ grant_type: 'client_credentials', scope: 'read:directories' })
    })
    expect(subset.scope).toBe('read:directories')
    expect(store.check(subset.access_token)).toMatchObject({ scopes: new Set(['read:directories']) })
    expect(() =>
      store.issue({
        clientId: 'c',
        clientSecret: 's',
        form: form({ grant_type: 'client_credentials', scope: 'read:users' })
      })
    ).toThrow(expect.objectContaining({ code: 'invalid_scope', status: 400 }))
  })
})

describe('POST /oauth2/token', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await start()
  })
  afterEach(async () => {
    await sandbox.close()
  })

  it('issues a token at the origin root for Basic client credentials', async () => {
    const reply = await requestToken(sandbox)
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: CLIENT_SCOPES.join(' ')
    })
    expect((await call(sandbox, 'POST', api('/oauth2/token'))).status).toBe(404)
  })

  it('answers a subset of scopes, and invalid_scope for one the client lacks', async () => {
    const subset = await requestToken(sandbox, { grant_type: 'client_credentials', scope: 'read:directories' })
    expect(subset.body.scope).toBe('read:directories')
    const lacking = await requestToken(sandbox, {
      grant_type: 'client_credentials',
      scope: 'read:directories read:users'
    })
    expect(lacking.status).toBe(400)
    expect(lacking.body).toEqual({ error: 'invalid_scope', error_description: expect.stringContaining('read:users') })
  })

  it('answers the OAuth error shape for a wrong secret, an unknown client, and a bad grant', async () => {
    const cases: [Record<string, string>, string, string, number, string][] = [
      [{ grant_type: 'client_credentials' }, CLIENT_ID, 'wrong', 401, 'invalid_client'],
      [{ grant_type: 'client_credentials' }, 'nobody', CLIENT_SECRET, 401, 'invalid_client'],
      [{ grant_type: 'password' }, CLIENT_ID, CLIENT_SECRET, 400, 'unsupported_grant_type'],
      [{}, CLIENT_ID, CLIENT_SECRET, 400, 'invalid_request']
    ]
    for (const [fields, clientId, secret, status, error] of cases) {
      const reply = await requestToken(sandbox, fields, clientId, secret)
      expect([error, reply.status, reply.body]).toEqual([
        error,
        status,
        { error, error_description: expect.any(String) }
      ])
    }
    const noAuth = await fetch(`${sandbox.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials'
    })
    expect([noAuth.status, (await noAuth.json()).error]).toEqual([401, 'invalid_client'])
  })

  it('ends a token at expires_in on the sandbox clock, advanced over /__sandbox/clock', async () => {
    const token = await accessToken(sandbox, undefined, BOB_CLIENT_ID, BOB_CLIENT_SECRET)
    const directories = () => call(sandbox, 'GET', api('/directories'), undefined, bearer(token))
    expect((await directories()).status).toBe(200)
    await call(sandbox, 'POST', '/__sandbox/clock', { advanceMs: 60_000 }, control(sandbox))
    const expired = await directories()
    expect(expired.status).toBe(401)
    expectQualtricsError(
      expired.body,
      '401 - Unauthorized',
      'SANDBOX_AUTH',
      'The access token has expired; request a new one.'
    )
    expect(sandbox.stats().oauth.bearerRefused.expired).toBe(1)
  })

  it('injects faults on the token endpoint like on any other', async () => {
    sandbox.setFaults({ rates: { 'oauth.token': { status503: 1 } } })
    const reply = await requestToken(sandbox)
    expect(reply.status).toBe(503)
    expect(sandbox.stats().byEndpoint['oauth.token']).toEqual({ '503': 1 })
    expect(sandbox.stats().oauth.tokensIssued).toBe(0)
  })
})

describe('Bearer tokens on the API', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await start()
  })
  afterEach(async () => {
    await sandbox.close()
  })

  it('acts as the client user on whoami, which needs no scope', async () => {
    const token = await accessToken(sandbox, 'read:directories')
    const reply = await call(sandbox, 'GET', api('/whoami'), undefined, bearer(token))
    expect(reply.status).toBe(200)
    expect(reply.body.result).toMatchObject({ userId: 'UR_alice', userName: USER_NAME, brandId: 'brand-a' })
  })

  it('accepts each route kind with its scope and refuses it (403, naming the scope) without', async () => {
    const contacts = api(`/directories/${DIR}/contacts`)
    const routes: [string, string, unknown, string][] = [
      ['GET', api('/directories'), undefined, 'read:directories'],
      ['GET', api(`/directories/${DIR}/mailinglists`), undefined, 'read:mailing_lists'],
      ['POST', contacts, { email: 'b@example.com' }, 'manage:directory_contacts'],
      [
        'POST',
        `${contacts}/search`,
        { filter: { filterType: 'email', comparison: 'eq', value: 'x' } },
        'manage:directory_contacts'
      ],
      ['GET', `${contacts}/CID_seeded0000001`, undefined, 'manage:directory_contacts'],
      ['PUT', `${contacts}/CID_seeded0000001`, { firstName: 'S' }, 'manage:directory_contacts'],
      ['POST', api(`/directories/${DIR}/transactions`), { k: {} }, 'manage:contact_transactions'],
      ['GET', api('/op-erase-personal-data'), undefined, 'manage:erasure_requests'],
      ['DELETE', `${contacts}/CID_seeded0000001`, undefined, 'manage:directory_contacts']
    ]
    for (const [method, path, body, scope] of routes) {
      const without = await accessToken(sandbox, CLIENT_SCOPES.filter((s) => s !== scope).join(' '))
      const refused = await call(sandbox, method, path, body, bearer(without))
      expect([path, refused.status]).toEqual([path, 403])
      expectQualtricsError(refused.body, '403 - Forbidden', 'SANDBOX_SCOPE', expect.stringContaining(scope))
      const allowed = await call(sandbox, method, path, body, bearer(await accessToken(sandbox, scope)))
      expect([method, path, allowed.status]).toEqual([method, path, 200])
    }
    expect(sandbox.stats().oauth.bearerRefused.missing_scope).toBe(routes.length)
  })

  it('answers 401 for an unknown token, and checks X-API-TOKEN whenever it is sent', async () => {
    const unknown = await call(sandbox, 'GET', api('/whoami'), undefined, bearer('made-up'))
    expect(unknown.status).toBe(401)
    expectQualtricsError(unknown.body, '401 - Unauthorized', 'SANDBOX_AUTH', 'The access token is not valid.')
    const token = await accessToken(sandbox)
    const both = await call(sandbox, 'GET', api('/whoami'), undefined, { ...bearer(token), 'x-api-token': 'wrong' })
    expect(both.status).toBe(401)
  })

  it('is refused by JSON Events (401), which still take X-API-TOKEN', async () => {
    const trigger = `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`
    const token = await accessToken(sandbox)
    for (const headers of [bearer(token), { ...bearer(token), 'x-api-token': TOKEN }]) {
      const reply = await call(sandbox, 'POST', trigger, { event: 'x' }, headers)
      expect(reply.status).toBe(401)
      expectQualtricsError(
        reply.body,
        '401 - Unauthorized',
        'SANDBOX_AUTH',
        expect.stringContaining('OAuth is not accepted by JSON Events')
      )
    }
    expect(
      (await call(sandbox, 'POST', trigger, { event: 'x' }, { authorization: basic(USER_NAME, TOKEN) })).status
    ).toBe(202)
  })

  it('counts tokens issued and refused, Bearer refusals, and calls by auth kind', async () => {
    const token = await accessToken(sandbox, 'read:directories')
    await requestToken(sandbox, { grant_type: 'client_credentials' }, CLIENT_ID, 'wrong')
    await requestToken(sandbox, { grant_type: 'client_credentials', scope: 'read:users' })
    await call(sandbox, 'GET', api('/directories'), undefined, bearer(token))
    await call(sandbox, 'GET', api(`/directories/${DIR}/mailinglists`), undefined, bearer(token))
    await call(sandbox, 'GET', api('/whoami'), undefined, bearer('made-up'))
    await call(sandbox, 'POST', `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`, {}, bearer(token))
    await call(sandbox, 'GET', api('/whoami'))
    await call(
      sandbox,
      'POST',
      `/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`,
      {},
      {
        authorization: basic(USER_NAME, TOKEN)
      }
    )
    const stats = (await call(sandbox, 'GET', '/__sandbox/stats', undefined, {})).body
    expect(stats.oauth).toEqual({
      tokensIssued: 1,
      tokensRefused: { invalid_client: 1, invalid_scope: 1, unsupported_grant_type: 0, invalid_request: 0 },
      bearerRefused: { unknown: 1, expired: 0, missing_scope: 1, json_event: 1 }
    })
    expect(stats.callsByAuth).toEqual({ 'X-API-TOKEN': 1, Basic: 1, Bearer: 1 })
    expect(stats.byEndpoint['oauth.token']).toEqual({ '200': 1, '400': 1, '401': 1 })
    expect(JSON.stringify((await call(sandbox, 'GET', '/__sandbox/state', undefined, {})).body)).not.toMatch(
      new RegExp(`${CLIENT_SECRET}|${token}`)
    )
  })
})
