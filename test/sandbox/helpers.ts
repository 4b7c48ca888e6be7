import { startSandbox, type Sandbox, type SandboxOptions, type SandboxSeed } from '../../src/sandbox'

export const TOKEN = 'tok-alice'
export const USER_NAME = 'alice@example.com'
export const OTHER_TOKEN = 'tok-bob'
export const DIR = 'POOL_test000000001'
export const DIR_EXTREF = 'POOL_test000000002'
export const DIR_PLAIN = 'POOL_test000000003'
export const ML = 'CG_test00000001'
export const WORKFLOW = '5a0dbe11-0000-4000-8000-00000000abcd'

/** Two users in two brands, three directories (email rule, extRef+email rule, none) and one workflow. */
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
    ...extra
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
