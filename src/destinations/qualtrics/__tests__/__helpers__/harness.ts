/**
 * The test harness of every test file, in the destination and in the rest of the project (test/setup.ts imports it
 * too): importing it registers the hooks below once per test file.
 *
 * - Every outbound request must be declared with nock: a request nock has no match for fails the test, unless it
 *   goes to this machine (tests of the local server start their own on 127.0.0.1).
 * - Every request a test declared must be sent: a declared request left unsent fails the test. This is checked in
 *   afterEach before the mocks are dropped, so no later cleanup can hide it. Declare what may happen any number of
 *   times with `.persist()` (it must still happen once) or `.optionally()`, never with a large `.times(n)`; and do not
 *   call `nock.cleanAll()` in a test (ESLint refuses it): the harness drops the mocks once it has checked them.
 *
 * It works with nock 13 (the monorepo's) and nock 14 (this project's).
 */
import nock from 'nock'

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/

interface Requested {
  hostname?: string | null
  host?: string | null
  method?: string
  path?: string | null
}

const undeclared: string[] = []

// nock 13 and 14 emit the request's options, or the request and then its options, when nothing matches.
nock.emitter.on('no match', (first: Requested, options?: Requested) => {
  const request = options ?? first
  const host = String(request.hostname ?? request.host ?? '').replace(/:\d+$/, '')
  if (!LOOPBACK.test(host)) undeclared.push(`${request.method ?? '?'} ${host}${request.path ?? ''}`)
})

beforeAll(() => {
  if (!nock.isActive()) nock.activate()
  nock.disableNetConnect()
  nock.enableNetConnect((host: string) => LOOPBACK.test(host.replace(/:\d+$/, '')))
})

afterEach(() => {
  const unsent = nock.pendingMocks()
  const sentUndeclared = undeclared.splice(0)
  // Replies still delayed (a test of timeouts) are dropped with the mocks, so that no timer outlives its test.
  nock.abortPendingRequests()
  nock.cleanAll()
  const problems = [
    ...(sentUndeclared.length > 0 ? [`undeclared outbound request(s): ${sentUndeclared.join(', ')}`] : []),
    ...(unsent.length > 0 ? [`declared request(s) never sent: ${unsent.join(', ')}`] : [])
  ]
  if (problems.length > 0) throw new Error(`The test's requests were not as declared: ${problems.join('; ')}`)
})

// Each test file loads its own nock, but the http interceptor underneath is process-wide: release it when the file
// ends so that the next file's nock can install its own.
afterAll(() => {
  nock.restore()
  nock.enableNetConnect()
})
