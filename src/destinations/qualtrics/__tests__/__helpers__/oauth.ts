import nock from 'nock'
import { API, ok } from './qualtrics'

export const CLIENT_ID = 'oauth-client-7f3e'
export const CLIENT_SECRET = 'oauth-SECRET-c0ffee-0123456789'
export const ACCESS_TOKEN = 'access-TOKEN-aaaa-1111'
export const SECOND_TOKEN = 'access-TOKEN-bbbb-2222'
export const oauthSettings = { datacenter: 'iad1', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }
export const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`

const BASE_SCOPES = [
  'read:directories',
  'read:mailing_lists',
  'manage:directory_contacts',
  'manage:contact_transactions',
  'write:mailing_list_contacts'
]
/** The token endpoint, matching only the client's Basic credentials and the exact form body, never the API token. */
export function tokenEndpoint(origin = API, erase = false): nock.Interceptor {
  return tokenEndpointFor(erase ? [...BASE_SCOPES, 'manage:erasure_requests'] : BASE_SCOPES, origin)
}

/** The token endpoint asked for exactly these scopes, in this order (the form body, byte for byte). */
export function tokenEndpointFor(scopes: string[], origin = API): nock.Interceptor {
  const body = `grant_type=client_credentials&scope=${scopes.map(encodeURIComponent).join('+')}`
  return nock(origin, {
    reqheaders: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    badheaders: ['x-api-token']
  }).post('/oauth2/token', body)
}

/** The scopes every token is first asked for (erasure off). */
export const FEATURE_SCOPES: readonly string[] = BASE_SCOPES

export function issued(token = ACCESS_TOKEN, expiresIn: number | undefined = 3600) {
  return { access_token: token, expires_in: expiresIn, token_type: 'Bearer', scope: BASE_SCOPES.join(' ') }
}

/** The REST API, matching only the given Bearer token and never the API token. */
export function withBearer(token = ACCESS_TOKEN): nock.Scope {
  return nock(API, { reqheaders: { authorization: `Bearer ${token}` }, badheaders: ['x-api-token'] })
}

/** A fake of the runtime's state: what one invocation sets, the next one reads. */
export function fakeStateContext() {
  const values = new Map<string, string>()
  return {
    values,
    getRequestContext: jest.fn((key: string) => values.get(key)),
    setResponseContext: jest.fn((key: string, value: string) => void values.set(key, value))
  }
}

/** A whoami that only answers the given Bearer token. */
export const whoamiOk = (token = ACCESS_TOKEN) =>
  withBearer(token)
    .get('/API/v3/whoami')
    .reply(200, ok({ userName: 'u' }))
