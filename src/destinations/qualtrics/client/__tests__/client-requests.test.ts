import {
  createRequestClient,
  createTestEvent,
  createTestIntegration,
  IntegrationError,
  InvalidAuthenticationError
} from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics, createState } from '../..'
import { apiBaseUrl, normaliseDatacenter, QualtricsClient } from '..'
import {
  API,
  API_TOKEN,
  DIRECTORY,
  isRetryableStatus,
  ok,
  qualtrics,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import { client } from '../../__tests__/__helpers__/client'

describe('datacenter', () => {
  it.each(['iad1', 'fra1', 'ca1', 'gov1', 'sjc1', 'a-b-c'])('accepts %s', (dc) => {
    expect(normaliseDatacenter(dc)).toBe(dc)
  })

  it('normalises case', () => {
    expect(apiBaseUrl('FRA1')).toBe('https://fra1.qualtrics.com/API/v3')
  })

  it.each([
    ['dots', 'iad1.evil.com'],
    ['a slash', 'iad1/../x'],
    ['an at sign', 'iad1@evil'],
    ['a hash', 'iad1#x'],
    ['a colon', 'iad1:8080'],
    ['a space', 'iad 1'],
    ['a leading hyphen', '-iad1'],
    ['an empty string', ''],
    ['a label over 63 characters', 'a'.repeat(64)]
  ])('rejects a datacenter with %s', (_why, dc) => {
    expect(() => normaliseDatacenter(dc)).toThrow(/Datacenter ID .* is not valid/)
  })

  it('rejects a datacenter that is not a string', () => {
    expect(() => normaliseDatacenter(42)).toThrow(/Datacenter ID a number is not valid/)
  })

  it('rejects a bad datacenter before any request exists', () => {
    expect(
      () => new QualtricsClient(createRequestClient(), { ...settings, datacenter: 'x.evil.com' }, createState())
    ).toThrow(IntegrationError)
  })

  it('rejects a missing token before any request exists', () => {
    expect(() => new QualtricsClient(createRequestClient(), { ...settings, apiToken: ' ' }, createState())).toThrow(
      /API Token is missing/
    )
  })
})

// The workflow URL check has its own file: workflow-url.test.ts.

describe('the local API origin (an instance option)', () => {
  it('accepts loopback only', () => {
    expect(() => createState({ apiOrigin: 'https://evil.com' })).toThrow(/loopback/)
    expect(() => createState({ apiOrigin: 'not a url' })).toThrow(/not a URL/)
    const { apiOrigin } = createState({ apiOrigin: 'http://127.0.0.1:4010/ignored/path' })
    expect(apiOrigin).toBe('http://127.0.0.1:4010')
    expect(apiBaseUrl('iad1', apiOrigin)).toBe('http://127.0.0.1:4010/API/v3')
  })

  it('still validates the datacenter', () => {
    expect(() => apiBaseUrl('a.b', 'http://127.0.0.1:4010')).toThrow(/not valid/)
  })

  it('sends every request of the instance’s clients there, and no other instance’s', async () => {
    const local = nock('http://127.0.0.1:4010', { reqheaders: { 'x-api-token': API_TOKEN } })
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'local' }))
    const state = createState({ apiOrigin: 'http://127.0.0.1:4010' })
    expect(await new QualtricsClient(createRequestClient(), settings, state).whoami()).toEqual({ userName: 'local' })
    expect(local.isDone()).toBe(true)
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'qualtrics' }))
    expect(await client().whoami()).toEqual({ userName: 'qualtrics' })
  })
})

describe('paging', () => {
  it('follows nextPage to the end', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_1' }], nextPage: `${API}/API/v3/directories?skipToken=2` }))
      .get('/API/v3/directories?skipToken=2')
      .reply(200, ok({ elements: [{ directoryId: 'POOL_2' }], nextPage: null }))
    expect((await client().listDirectories()).map((d) => d.directoryId)).toEqual(['POOL_1', 'POOL_2'])
  })

  it('refuses a next page on another host', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [], nextPage: 'https://evil.com/API/v3/directories?skipToken=2' }))
    await expect(client().listDirectories()).rejects.toThrow(/pointed elsewhere and was not followed/)
  })

  it('reports a page without elements', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ nextPage: null }))
    await expect(client().listDirectories()).rejects.toThrow(/without a list \(result.elements\)/)
  })
})

describe('search', () => {
  it('sends one eq filter and a page size, and reports elements without ids', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search?pageSize=100`, {
        filter: { filterType: 'email', comparison: 'eq', value: 'a@b.co' }
      })
      .reply(200, ok({ elements: [{ email: 'a@b.co' }] }))
    await expect(client().searchContacts(DIRECTORY, 'email', 'a@b.co')).rejects.toThrow(/contacts with ids/)
  })

  it('encodes a directory id so it cannot change the path', async () => {
    qualtrics()
      .post('/API/v3/directories/..%2Fwhoami/contacts', { extRef: 'u' })
      .reply(200, ok({ id: 'CID_1' }))
    expect(await client().createContact('../whoami', { extRef: 'u' })).toBe('CID_1')
  })
})

describe('API token that cannot be sent in a header', () => {
  const make = (apiToken: string) => () =>
    new QualtricsClient(createRequestClient(), { ...settings, apiToken }, createState())

  it.each([
    ['a line feed', `${API_TOKEN}\nX-Injected: 1`, /a line break \(U\+000A\) at character 29/],
    ['a carriage return', `qtok\rabc`, /a line break \(U\+000D\) at character 5/],
    ['a NUL', `qtok\u0000abc`, /a control character \(U\+0000\)/],
    ['a tab inside', `qtok\tabc`, /a control character \(U\+0009\)/],
    ['a DEL', `qtok\u007fabc`, /a control character \(U\+007F\)/],
    ['a C1 control', `qtok\u0085abc`, /a control character \(U\+0085\)/],
    ['a character outside Latin-1', `qtok\u2014abc`, /a character outside Latin-1 \(U\+2014\)/],
    ['an emoji', `qtok\u{1F600}abc`, /a character outside Latin-1 \(U\+1F600\) at character 5/]
  ])('refuses %s: a final 401 saying what is wrong, before any request', (_why, token, reason) => {
    // No request is declared: the client must refuse before it sends anything.
    let error: unknown
    try {
      make(token)()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidAuthenticationError)
    const { message, status } = error as InvalidAuthenticationError
    expect(status).toBe(401)
    expect(message).toMatch(reason)
    expect(message).toMatch(/cannot be sent in a header: copy it again from Account settings/)
    expect(message).not.toContain('qtok')
  })

  it('trims surrounding whitespace (a pasted newline) and sends the token without it', async () => {
    qualtrics()
      .get('/API/v3/whoami')
      .reply(200, ok({ userName: 'x' }))
    expect(await make(`  ${API_TOKEN}\r\n`)().whoami()).toEqual({ userName: 'x' })
  })

  it('through an action it is a final 401 (never a retryable "connection failed")', async () => {
    const error = await createTestIntegration(createQualtrics())
      .testAction('upsertContact', {
        event: createTestEvent({ type: 'identify', userId: 'u1' }),
        settings: { ...settings, apiToken: 'qtok\nabc' },
        mapping: { directoryId: DIRECTORY },
        useDefaultMappings: true
      })
      .catch((e) => e)
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION' })
    expect(isRetryableStatus(error.status)).toBe(false)
  })
})
