import { parse as legacyParse } from 'node:url'
import { createTestIntegration, PayloadValidationError } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics } from '../..'
import { resolveWorkflowUrl } from '../../client'
import { API_TOKEN, settings } from '../../__tests__/__helpers__/qualtrics'

/**
 * The workflow URL is mapped from event data and the API token goes with it, so a URL is accepted only when every
 * parser on the way (WHATWG `URL` here, Node's legacy `url.parse` inside node-fetch) reads the same Qualtrics host.
 * Each test runs the real action and records the host the HTTP stack was actually asked to connect to.
 */
const testDestination = createTestIntegration(createQualtrics())
const Q = '/inbound-event/v1/events/json/triggers?urlTokenId=abc'
const USERNAME = 'ada@example.com'
const BASIC = `Basic ${Buffer.from(`${USERNAME}:${API_TOKEN}`).toString('base64')}`

type Node = { status: number; errormessage?: string }
const multistatus = () => (testDestination.results[0] as unknown as { multistatus: Node[] }).multistatus

// The host of every request the HTTP stack was asked to make, as nock received it (the options node-fetch passed to
// http.request or https.request): from the 'request' event of each scope the test declares, and from nock's
// 'no match' for any other. nock 13 (the monorepo's) and nock 14 report them alike. (Wrapping https.request in the
// test instead would patch what nock patches, and nock 14 then lost a later file's socket errors.)
const hostsSeen: string[] = []
type Requested = { hostname?: string | null; host?: string | null; options?: Requested }
const hostOf = (request?: Requested) => String(request?.hostname ?? request?.host ?? '').replace(/:\d+$/, '')
const recordUnmatched = (first: Requested, options?: Requested) => hostsSeen.push(hostOf(options ?? first))
/** A nock scope whose requests are recorded. */
function declared(origin: string, options: nock.Options) {
  return nock(origin, options).on('request', (request: Requested) => hostsSeen.push(hostOf(request.options)))
}
beforeEach(() => {
  testDestination.responses.splice(0)
  hostsSeen.splice(0)
  nock.emitter.on('no match', recordUnmatched)
})
afterEach(() => {
  nock.emitter.removeListener('no match', recordUnmatched)
})

/** The host of every request the HTTP stack made during the test. */
const hostsConnected = (): string[] => [...hostsSeen]

const event = (n: number): Partial<SegmentEvent> => ({
  type: 'track',
  event: 'Survey Completed',
  userId: `u${n}`,
  properties: { n }
})
const mappingFor = (workflowUrl: string, basic: boolean) => ({
  workflowUrl,
  eventPayload: { n: { '@path': '$.properties.n' } },
  ...(basic ? { authMethod: 'basic', username: USERNAME } : {})
})
const runSingle = (workflowUrl: string, basic = false, destination = testDestination) =>
  destination.testAction('triggerXflow', { event: event(1), settings, mapping: mappingFor(workflowUrl, basic) })
const runBatch = (workflowUrls: string[], basic = false) =>
  testDestination.testBatchAction('triggerXflow', {
    events: workflowUrls.map((_, n) => ({ ...event(n), properties: { n, url: workflowUrls[n] } })) as SegmentEvent[],
    settings,
    mapping: { ...mappingFor('', basic), workflowUrl: { '@path': '$.properties.url' } }
  })

const SCHEMA_REFUSAL = /^Workflow URL must be a valid URI string/
const HOST = /its host/
const ASCII = /plain ASCII without spaces or backslashes/
const PATH = /its path must be the JSON Event path/
const NO_TRIGGER = /its query must name the trigger with urlTokenId/
const hostile: Array<[string, string, RegExp]> = [
  ['";" ends the host for url.parse', `https://attacker.example;.qualtrics.com${Q}`, HOST],
  ['"\'" ends the host for url.parse', `https://attacker.example'.qualtrics.com${Q}`, HOST],
  ['a double quote', `https://attacker.example".qualtrics.com${Q}`, HOST],
  ['"{"', `https://attacker.example{.qualtrics.com${Q}`, HOST],
  ['"}"', `https://attacker.example}.qualtrics.com${Q}`, HOST],
  ['a backtick', `https://attacker.example\`.qualtrics.com${Q}`, HOST],
  ['%3B (";" once WHATWG decodes it)', `https://attacker.example%3B.qualtrics.com${Q}`, HOST],
  ['%3b in lower case', `https://attacker.example%3b.qualtrics.com${Q}`, HOST],
  ['%27', `https://attacker.example%27.qualtrics.com${Q}`, HOST],
  ['%22', `https://attacker.example%22.qualtrics.com${Q}`, HOST],
  ['%7B', `https://attacker.example%7B.qualtrics.com${Q}`, HOST],
  ['%7D', `https://attacker.example%7D.qualtrics.com${Q}`, HOST],
  ['%60', `https://attacker.example%60.qualtrics.com${Q}`, HOST],
  ['%2E, a dot WHATWG decodes', `https://iad1%2Equaltrics.com${Q}`, HOST],
  ['%40, an @ WHATWG decodes', `https://attacker.example%40iad1.qualtrics.com${Q}`, HOST],
  ['a backslash in the host', `https://attacker.example\\.qualtrics.com${Q}`, ASCII],
  ['a backslash before @', `https://attacker.example\\@iad1.qualtrics.com${Q}`, ASCII],
  ['backslashes as path separators', `https://iad1.qualtrics.com\\inbound-event\\v1${Q}`, ASCII],
  ['a tab in the host', `https://attacker.example\t.qualtrics.com${Q}`, ASCII],
  ['a newline in the host', `https://attacker.example\n.qualtrics.com${Q}`, ASCII],
  ['a carriage return in the query', `https://iad1.qualtrics.com${Q}\r\nHost: attacker.example`, ASCII],
  ['a NUL', `https://attacker.example\u0000.qualtrics.com${Q}`, ASCII],
  ['a leading space', ` https://iad1.qualtrics.com${Q}`, ASCII],
  ['a trailing newline', `https://iad1.qualtrics.com${Q}\n`, ASCII],
  ['user and password', `https://user:pw@iad1.qualtrics.com${Q}`, /user name or password/],
  ['a Qualtrics host as user name', `https://iad1.qualtrics.com@attacker.example${Q}`, /user name or password/],
  ['a look-alike port and user', `https://attacker.example:443@iad1.qualtrics.com${Q}`, /user name or password/],
  ['an ideographic full stop (U+3002)', `https://attacker.example\u3002qualtrics.com${Q}`, ASCII],
  ['a full-width full stop (U+FF0E)', `https://iad1.qualtrics.com\uff0eattacker.example${Q}`, ASCII],
  ['a half-width ideographic full stop (U+FF61)', `https://iad1\uff61qualtrics.com${Q}`, ASCII],
  ['full-width letters', `https://\uff49\uff41\uff44\uff11.qualtrics.com${Q}`, ASCII],
  ['a Cyrillic a', `https://iad1.qu\u0430ltrics.com${Q}`, ASCII],
  ['an IPv4 address', `https://127.0.0.1${Q}`, /must be a Qualtrics host/],
  ['the metadata address', `https://169.254.169.254${Q}`, /must be a Qualtrics host/],
  ['an IPv6 address', `https://[::1]${Q}`, /not an IP address/],
  ['an IPv4-mapped IPv6 address', `https://[::ffff:7f00:1]${Q}`, /not an IP address/],
  ['a decimal IPv4 address', `https://2130706433${Q}`, /must be a Qualtrics host/],
  ['a hexadecimal IPv4 address', `https://0x7f000001${Q}`, /must be a Qualtrics host/],
  ['a port', `https://iad1.qualtrics.com:8443${Q}`, /must not name a port/],
  ['the https port itself', `https://iad1.qualtrics.com:443${Q}`, /must not name a port/],
  ['an empty port', `https://iad1.qualtrics.com:${Q}`, /must not name a port/],
  ['a trailing dot', `https://iad1.qualtrics.com.${Q}`, /malformed name part/],
  ['an empty label', `https://iad1..qualtrics.com${Q}`, /malformed name part/],
  ['a leading hyphen', `https://-iad1.qualtrics.com${Q}`, /malformed name part/],
  ['bare qualtrics.com', `https://qualtrics.com${Q}`, /must be a Qualtrics host/],
  ['a look-alike suffix', `https://iad1.qualtrics.com.attacker.example${Q}`, /must be a Qualtrics host/],
  ['a look-alike prefix', `https://attackerqualtrics.com${Q}`, /must be a Qualtrics host/],
  ['the suffix after "#"', `https://attacker.example#.qualtrics.com${Q}`, /must be a Qualtrics host/],
  ['the suffix after "?"', `https://attacker.example?.qualtrics.com${Q}`, /must be a Qualtrics host/],
  ['an API v3 path', 'https://iad1.qualtrics.com/API/v3/directories/POOL_1/contacts?urlTokenId=abc', PATH],
  ['whoami', 'https://iad1.qualtrics.com/API/v3/whoami', PATH],
  ['traversal to API v3', 'https://iad1.qualtrics.com/inbound-event/../API/v3/whoami?urlTokenId=abc', PATH],
  ['encoded traversal', 'https://iad1.qualtrics.com/inbound-event/%2e%2e/API/v3/whoami?urlTokenId=abc', PATH],
  ['encoded slashes', 'https://iad1.qualtrics.com/inbound-event%2Fv1%2Fevents%2Fjson%2Ftriggers?urlTokenId=a', PATH],
  ['traversal after the path', `https://iad1.qualtrics.com${Q.replace('?', '/../../../../API/v3/whoami?')}`, PATH],
  [
    'an encoded letter in the path',
    'https://iad1.qualtrics.com/inbound-event/v1/events/%6Ason/triggers?urlTokenId=a',
    PATH
  ],
  ['a path parameter', `https://iad1.qualtrics.com${Q.replace('?', ';x?')}`, PATH],
  ['a double slash', `https://iad1.qualtrics.com/${Q}`, PATH],
  ['no path', 'https://iad1.qualtrics.com?urlTokenId=abc', PATH],
  ['no urlTokenId', 'https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers', NO_TRIGGER],
  ['an empty urlTokenId', 'https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=', NO_TRIGGER],
  [
    'only force_isolation',
    'https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?force_isolation=true',
    NO_TRIGGER
  ],
  ['a fragment', `https://iad1.qualtrics.com${Q}#frag`, /#fragment/],
  ['plain http', `http://iad1.qualtrics.com${Q}`, /must use https/],
  ['ftp', `ftp://iad1.qualtrics.com${Q}`, /must use https/],
  ['one slash after the scheme', `https:/iad1.qualtrics.com${Q}`, /must start with https:\/\//],
  ['no slashes after the scheme', `https:iad1.qualtrics.com${Q}`, /must start with https:\/\//],
  ['no scheme', `//iad1.qualtrics.com${Q}`, /not a valid URL/]
]

describe('hostile workflow URLs are refused and nothing is sent', () => {
  it.each(hostile)('%s', (_why, url, part) => {
    expect(() => resolveWorkflowUrl(url)).toThrow(PayloadValidationError)
    expect(() => resolveWorkflowUrl(url)).toThrow(part)
  })

  it.each([
    ['a number', 12],
    ['undefined', undefined],
    ['an empty string', ''],
    ['a host and path without a scheme', `iad1.qualtrics.com${Q}`]
  ])('%s is not a valid URL', (_why, value) => {
    expect(() => resolveWorkflowUrl(value)).toThrow(PayloadValidationError)
    expect(() => resolveWorkflowUrl(value)).toThrow(/Workflow URL is not a valid URL/)
  })

  // Through the action, actions-core's own check of the field's `format: 'uri'` refuses some of these first (with
  // its schema error, before perform runs); the rest reach resolveWorkflowUrl. Either way nothing is sent.
  it.each(hostile)('%s, in a single run', async (_why, url, part) => {
    const error = await runSingle(url).catch((e) => e)
    if (error instanceof PayloadValidationError) expect(error.message).toMatch(part)
    else expect(error.message).toMatch(SCHEMA_REFUSAL)
    expect(hostsConnected()).toEqual([])
  })

  it.each(hostile)('%s, in a batch beside a good URL (Basic)', async (_why, url, part) => {
    const good = declared('https://iad1.qualtrics.com', { reqheaders: { authorization: BASIC } })
      .post(Q)
      .reply(202, {})
    await runBatch([url, `https://iad1.qualtrics.com${Q}`], true)
    expect(multistatus().map((node) => node.status)).toEqual([400, 200])
    expect(multistatus()[0].errormessage).toMatch(new RegExp(`${part.source}|${SCHEMA_REFUSAL.source}`))
    expect(good.isDone()).toBe(true)
    expect(hostsConnected()).toEqual(['iad1.qualtrics.com'])
  })

  it('the ";" host trick never reaches attacker.example, with the token or Basic', async () => {
    // Nothing is declared for attacker.example: a request there would also be undeclared, which fails the test.
    const url = `https://attacker.example;.qualtrics.com${Q}`
    await expect(runSingle(url)).rejects.toThrow(HOST)
    await expect(runSingle(url, true)).rejects.toThrow(HOST)
    await runBatch([url, url])
    expect(multistatus().map((node) => node.status)).toEqual([400, 400])
    expect(hostsConnected()).toEqual([])
  })
})

/** Accepted URLs: the host that must be connected to, and the path and query that must be sent. */
const accepted: Array<[string, string, string, string]> = [
  [
    'the current form',
    'https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=5a0dbe11-0000-4000-8000-000000000001',
    'iad1.qualtrics.com',
    '/inbound-event/v1/events/json/triggers?urlTokenId=5a0dbe11-0000-4000-8000-000000000001'
  ],
  [
    'force_isolation on fra1',
    'https://fra1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=abc-123&force_isolation=true',
    'fra1.qualtrics.com',
    '/inbound-event/v1/events/json/triggers?urlTokenId=abc-123&force_isolation=true'
  ],
  [
    'the older upper-case JSON form with triggerId on sjc1',
    'https://sjc1.qualtrics.com/inbound-event/v1/events/JSON/triggers?contextId=SV_1&userId=UR_abc&brandId=acme&triggerId=OC_123',
    'sjc1.qualtrics.com',
    '/inbound-event/v1/events/JSON/triggers?contextId=SV_1&userId=UR_abc&brandId=acme&triggerId=OC_123'
  ],
  [
    'an organisation host on gov1',
    'https://acme-corp.gov1.qualtrics.com/inbound-event/v1/events/json/triggers?force_isolation=true&urlTokenId=t1',
    'acme-corp.gov1.qualtrics.com',
    '/inbound-event/v1/events/json/triggers?force_isolation=true&urlTokenId=t1'
  ],
  [
    'upper-case scheme and host on syd1',
    'HTTPS://SYD1.Qualtrics.COM/Inbound-Event/v1/events/JSON/triggers?urlTokenId=T2',
    'syd1.qualtrics.com',
    '/Inbound-Event/v1/events/JSON/triggers?urlTokenId=T2'
  ],
  [
    'query values that are re-encoded, on pdx1',
    'https://pdx1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=a%23b%0d%0aHost:x&note=a+b',
    'pdx1.qualtrics.com',
    '/inbound-event/v1/events/json/triggers?urlTokenId=a%23b%0D%0AHost%3Ax&note=a+b'
  ]
]

describe.each(accepted)('an accepted workflow URL: %s', (_why, url, host, pathAndQuery) => {
  it('is rebuilt so that url.parse and WHATWG URL read the same host', () => {
    const built = resolveWorkflowUrl(url)
    expect(built).toBe(`https://${host}${pathAndQuery}`)
    expect(legacyParse(built).hostname).toBe(host)
    expect(new URL(built).hostname).toBe(host)
  })

  it.each([
    ['the token header', false, { 'x-api-token': API_TOKEN }],
    ['Basic', true, { authorization: BASIC }]
  ])('goes to that host alone, single and batch, with %s', async (_auth, basic, reqheaders) => {
    const scope = declared(`https://${host}`, { reqheaders }).post(pathAndQuery).times(3).reply(202, {})
    await runSingle(url, basic)
    await runBatch([url, url], basic)
    expect(multistatus().map((node) => node.status)).toEqual([200, 200])
    expect(scope.isDone()).toBe(true)
    expect(hostsConnected()).toEqual([host, host, host])
  })
})

describe('the local API origin (an instance option)', () => {
  it('sends the checked path and query to the loopback origin, and still refuses hostile URLs', async () => {
    const local = createTestIntegration(createQualtrics({ apiOrigin: 'http://127.0.0.1:4010' }))
    const [, url, , pathAndQuery] = accepted[2]
    expect(resolveWorkflowUrl(url, 'http://127.0.0.1:4010')).toBe(`http://127.0.0.1:4010${pathAndQuery}`)
    const sandbox = declared('http://127.0.0.1:4010', { reqheaders: { 'x-api-token': API_TOKEN } })
      .post(pathAndQuery)
      .reply(202, {})
    await runSingle(url, false, local)
    expect(sandbox.isDone()).toBe(true)
    expect(hostsConnected()).toEqual(['127.0.0.1'])
    expect(() => resolveWorkflowUrl(`https://attacker.example;.qualtrics.com${Q}`, 'http://127.0.0.1:4010')).toThrow(
      HOST
    )
  })
})
