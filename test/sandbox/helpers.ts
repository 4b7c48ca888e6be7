import { SANDBOX_KEY_HEADER, SandboxClock, startSandbox } from '../../src/sandbox'
import type { Sandbox, SandboxOptions, SandboxSeed } from '../../src/sandbox'

export const TOKEN = 'tok-alice'
export const USER_NAME = 'alice@example.com'
export const OTHER_TOKEN = 'tok-bob'
export const DIR = 'POOL_test000000001'
export const DIR_EXTREF = 'POOL_test000000002'
export const DIR_PLAIN = 'POOL_test000000003'
export const ML = 'CG_test00000001'
export const WORKFLOW = '5a0dbe11-0000-4000-8000-00000000abcd'
/** Alice's OAuth client: every XM Directory scope and erasure. */
export const CLIENT_ID = 'client-alice'
export const CLIENT_SECRET = 'secret-alice'
export const CLIENT_SCOPES = [
  'read:directories',
  'read:mailing_lists',
  'manage:directory_contacts',
  'manage:contact_transactions',
  'manage:erasure_requests'
]
/** Bob's client (bob is no brand administrator), with tokens that last a minute. */
export const BOB_CLIENT_ID = 'client-bob'
export const BOB_CLIENT_SECRET = 'secret-bob'

/**
 * Two users in two brands (alice a brand administrator), three directories (email rule, extRef+email rule, none),
 * one workflow, and an OAuth client for each user.
 */
export function testSeed(extra: Partial<SandboxSeed> = {}): SandboxSeed {
  return {
    users: [
      {
        token: TOKEN,
        userName: USER_NAME,
        userId: 'UR_alice',
        brandId: 'brand-a',
        firstName: 'Alice',
        lastName: 'Liddell',
        email: USER_NAME,
        brandAdmin: true
      },
      { token: OTHER_TOKEN, userName: 'bob@example.com', userId: 'UR_bob', brandId: 'brand-b' }
    ],
    directories: [
      {
        directoryId: DIR,
        name: 'Main',
        isDefault: true,
        deduplicationCriteria: { email: true },
        mailingLists: [{ mailingListId: ML, name: 'Customers' }],
        contacts: [{ id: 'CID_seeded0000001', email: 'seeded@example.com', firstName: 'Seeded' }]
      },
      {
        directoryId: DIR_EXTREF,
        deduplicationCriteria: { externalDataReference: true, email: true },
        mailingLists: [{ mailingListId: 'CG_extref0000001' }]
      },
      { directoryId: DIR_PLAIN }
    ],
    workflows: [{ urlTokenId: WORKFLOW }],
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, userId: 'UR_alice', scopes: CLIENT_SCOPES },
      {
        clientId: BOB_CLIENT_ID,
        clientSecret: BOB_CLIENT_SECRET,
        userId: 'UR_bob',
        scopes: ['read:directories', 'manage:erasure_requests'],
        tokenLifetimeSeconds: 60
      }
    ],
    ...extra
  }
}

/**
 * A sandbox clock over a real time that stands still until the test moves it (`passReal`), or moves the sandbox
 * clock itself (`clock.advance`): no rate allowance refills and no index lag passes while requests run, however busy
 * the machine. `timeScale` still scales what `passReal` moves.
 */
export function stillClock(timeScale = 1): { clock: SandboxClock; passReal: (ms: number) => void } {
  let real = 0
  return {
    clock: new SandboxClock(timeScale, () => real),
    passReal: (ms) => {
      real += ms
    }
  }
}

export async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, seed: testSeed(), ...options })
}

export interface Reply {
  status: number
  // The tests assert on the sandbox's JSON freely; `any` keeps them readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  headers: Headers
}

/** One request to the sandbox; `path` may be a full URL (e.g. a `nextPage`). */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { 'x-api-token': TOKEN }
): Promise<Reply> {
  const url = path.startsWith('http') ? path : `${sandbox.url}${path}`
  const init: RequestInit = { method, headers: { ...headers } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
  }
  const res = await fetch(url, init)
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers }
}

export const api = (path: string) => `/API/v3${path}`

/** The header a `/__sandbox` control route (reset, faults, clock, survey completion) needs: this sandbox's key. */
export const control = (sandbox: Sandbox): Record<string, string> => ({ [SANDBOX_KEY_HEADER]: sandbox.controlKey })

export async function createContact(sandbox: Sandbox, body: unknown, directoryId = DIR): Promise<Reply> {
  return call(sandbox, 'POST', api(`/directories/${directoryId}/contacts`), body)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function state(sandbox: Sandbox): Promise<any> {
  return (await call(sandbox, 'GET', '/__sandbox/state', undefined, {})).body
}

/** The contacts of a directory as GET /__sandbox/state shows them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function contactsIn(sandbox: Sandbox, directoryId = DIR): Promise<any[]> {
  const snapshot = await state(sandbox)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return snapshot.directories.find((d: any) => d.directoryId === directoryId).contacts
}

export const basic = (userName: string, token: string) =>
  `Basic ${Buffer.from(`${userName}:${token}`).toString('base64')}`

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The Qualtrics error body: `{meta: {httpStatus, requestId, error: {errorMessage, errorCode}}}` and nothing else. */
export function expectQualtricsError(
  body: unknown,
  httpStatus: string,
  errorCode: string,
  errorMessage: unknown = expect.any(String)
): void {
  expect(body).toEqual({
    meta: { httpStatus, requestId: expect.stringMatching(UUID), error: { errorMessage, errorCode } }
  })
}

/** How the seeded main directory (email deduplication, one contact) is listed, by the store and over HTTP. */
export const MAIN_DIRECTORY_LISTING = {
  directoryId: DIR,
  name: 'Main',
  contactCount: 1,
  isDefault: true,
  deduplicationCriteria: { email: true, firstName: false, lastName: false, externalDataReference: false, phone: false }
}

/** `POST /oauth2/token` as a client-credentials client sends it: Basic id:secret and a form body. */
export async function requestToken(
  sandbox: Sandbox,
  form: Record<string, string> = { grant_type: 'client_credentials' },
  clientId = CLIENT_ID,
  clientSecret = CLIENT_SECRET
): Promise<Reply> {
  const res = await fetch(`${sandbox.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: basic(clientId, clientSecret),
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: new URLSearchParams(form).toString()
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers }
}

/** A fresh access token for a client, optionally for fewer scopes. */
export async function accessToken(sandbox: Sandbox, scope?: string, clientId = CLIENT_ID, secret = CLIENT_SECRET) {
  const form: Record<string, string> = { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }
  const reply = await requestToken(sandbox, form, clientId, secret)
  expect(reply.status).toBe(200)
  return reply.body.access_token as string
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
