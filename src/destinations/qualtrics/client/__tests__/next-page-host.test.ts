import { createRequestClient } from '@segment/actions-core'
import nock from 'nock'
import { createState } from '../..'
import { QualtricsClient } from '..'
import { API, API_TOKEN, DIRECTORY, ok, qualtrics, settings } from '../../__tests__/__helpers__/qualtrics'

// A request to another datacenter is proxied, and an organisation host (https://{org}.{dc}.qualtrics.com) exists
// (research notes §1, §16): a next page may name another Qualtrics host. It is followed when it passes the same host
// rule as every URL the token goes to (https, a name under qualtrics.com, no port, user info or IP address) and names
// an API path; anything else is refused, as before, without a request.

const ORG = 'https://sandbox-org.iad1.qualtrics.com'
const LOCAL = 'http://127.0.0.1:4010'
const client = (apiOrigin?: string) => new QualtricsClient(createRequestClient(), settings, createState({ apiOrigin }))
const token = { reqheaders: { 'x-api-token': API_TOKEN } }
const firstPage = (nextPage: string, origin = API) =>
  nock(origin, token)
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId: 'POOL_1' }], nextPage }))

describe('a next page on another Qualtrics host', () => {
  it('is followed on an organisation host of the datacenter', async () => {
    firstPage(`${ORG}/API/v3/directories?skipToken=2`)
    nock(ORG, token)
      .get('/API/v3/directories?skipToken=2')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_2' }], nextPage: null }))
    expect((await client().listDirectories()).map((d) => d.directoryId)).toEqual(['POOL_1', 'POOL_2'])
  })

  it('is followed on another datacenter (a proxied request), for a search too, with the same body', async () => {
    const filter = { filter: { filterType: 'email', comparison: 'eq', value: 'a@b.co' } }
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=100`, filter)
      .reply(
        200,
        ok({
          elements: [{ id: 'CID_1' }],
          nextPage: `https://fra1.qualtrics.com/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=100&skipToken=2`
        })
      )
    nock('https://fra1.qualtrics.com', token)
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=100&skipToken=2`, filter)
      .reply(200, ok({ elements: [{ id: 'CID_2' }], nextPage: null }))
    const found = await client().searchContacts(DIRECTORY, 'email', 'a@b.co')
    expect(found.map((c) => c.id)).toEqual(['CID_1', 'CID_2'])
  })

  it.each([
    ['plain http', 'http://sandbox-org.iad1.qualtrics.com/API/v3/directories?skipToken=2'],
    ['a port', 'https://sandbox-org.iad1.qualtrics.com:8443/API/v3/directories?skipToken=2'],
    ['user info', 'https://user:pw@sandbox-org.iad1.qualtrics.com/API/v3/directories?skipToken=2'],
    ['an IP address', 'https://[::1]/API/v3/directories?skipToken=2'],
    ['an IPv4 address', 'https://10.0.0.1/API/v3/directories?skipToken=2'],
    ['a look-alike host', 'https://qualtrics.com.evil.example/API/v3/directories?skipToken=2'],
    ['a host ending in qualtrics.com without the dot', 'https://evilqualtrics.com/API/v3/directories?skipToken=2'],
    ['another site', 'https://evil.example/API/v3/directories?skipToken=2'],
    ['a path outside the API', `${ORG}/inbound-event/v1/events/json/triggers?urlTokenId=abc`],
    ['a dot segment leaving the API', `${ORG}/API/v3/../../inbound-event/v1/events/json/triggers?urlTokenId=abc`],
    ['an encoded dot segment', `${ORG}/API/v3/%2e%2e/%2E%2E/whoami`],
    ['a backslash', `${ORG}\\@evil.example/API/v3/directories`],
    ['a fragment', `${ORG}/API/v3/directories?skipToken=2#x`]
  ])('is refused with %s, and nothing is sent there', async (_, nextPage) => {
    firstPage(nextPage)
    await expect(client().listDirectories()).rejects.toThrow(/next page .*was not followed/)
  })
})

describe('a next page under a local API origin (the sandbox, for local runs)', () => {
  it('on the local origin itself is followed, as before', async () => {
    firstPage(`${LOCAL}/API/v3/directories?skipToken=2`, LOCAL)
    nock(LOCAL, token)
      .get('/API/v3/directories?skipToken=2')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_2' }], nextPage: null }))
    expect((await client(LOCAL).listDirectories()).map((d) => d.directoryId)).toEqual(['POOL_1', 'POOL_2'])
  })

  it('on another Qualtrics host goes to the local origin (same path and query), never to that host', async () => {
    firstPage(`${ORG}/API/v3/directories?skipToken=2`, LOCAL)
    nock(LOCAL, token)
      .get('/API/v3/directories?skipToken=2')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_2' }], nextPage: null }))
    expect((await client(LOCAL).listDirectories()).map((d) => d.directoryId)).toEqual(['POOL_1', 'POOL_2'])
  })

  it.each([
    ['another site', 'https://evil.example/API/v3/directories?skipToken=2'],
    ['another loopback port', 'http://127.0.0.1:9999/API/v3/directories?skipToken=2'],
    ['a Qualtrics host with a port', 'https://sandbox-org.iad1.qualtrics.com:8443/API/v3/directories?skipToken=2']
  ])('on %s is refused, as without the override', async (_, nextPage) => {
    firstPage(nextPage, LOCAL)
    await expect(client(LOCAL).listDirectories()).rejects.toThrow(/next page .*was not followed/)
  })
})
