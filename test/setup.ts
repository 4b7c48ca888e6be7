import nock from 'nock'

// Every outbound request in a unit test must be declared with nock. Loopback stays open for the end-to-end tests,
// which start their own servers on 127.0.0.1.
const undeclared: string[] = []
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)(:\d+)?$/

nock.emitter.on('no match', (request: { hostname?: string; host?: string; method?: string; path?: string }) => {
  const host = request.hostname ?? request.host ?? ''
  if (!LOOPBACK.test(host.replace(/:\d+$/, '')))
    undeclared.push(`${request.method ?? '?'} ${host}${request.path ?? ''}`)
})

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect(LOOPBACK)
})

afterEach(() => {
  nock.cleanAll()
  const found = undeclared.splice(0)
  if (found.length > 0) throw new Error(`Undeclared outbound request(s): ${found.join(', ')}`)
})

// Each test file loads its own nock, but the http interceptor underneath is process-wide: release it when the
// file ends so that the next file's nock can install its own.
afterAll(() => {
  nock.restore()
})
