import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics } from '../..'
import {
  API_TOKEN,
  ERROR_STATUSES,
  isRetryableStatus,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'

const testDestination = createTestIntegration(createQualtrics())
const HOST = 'https://iad1.qualtrics.com'
const PATH = '/inbound-event/v1/events/json/triggers?urlTokenId=3f2a'
const WORKFLOW_URL = `${HOST}${PATH}`

const track = createTestEvent({
  type: 'track',
  event: 'Survey Completed',
  userId: 'user-1',
  anonymousId: 'anon-1',
  messageId: 'msg-1',
  timestamp: '2024-03-01T10:00:00.000Z',
  properties: { score: 9 },
  // A track event carries traits only in its context; createTestEvent would add an empty top-level object.
  traits: undefined,
  context: { ip: '203.0.113.9', userAgent: 'UA', traits: { email: 'ada@example.com' } }
})

const run = (mapping: Record<string, unknown> = {}, event = track) =>
  testDestination.testAction('triggerXflow', {
    event,
    settings,
    mapping: { workflowUrl: WORKFLOW_URL, ...mapping },
    useDefaultMappings: true
  })

beforeEach(() => testDestination.responses.splice(0))

describe('triggerXflow', () => {
  it('posts the default payload with the token header and without the event context', async () => {
    const scope = nock(HOST, { reqheaders: { 'x-api-token': API_TOKEN, 'content-type': 'application/json' } })
      .post(PATH, {
        event: 'Survey Completed',
        type: 'track',
        userId: 'user-1',
        anonymousId: 'anon-1',
        properties: { score: 9 },
        traits: { email: 'ada@example.com' },
        timestamp: '2024-03-01T10:00:00.000Z',
        messageId: 'msg-1'
      })
      .reply(202, {})
    await run()
    expect(scope.isDone()).toBe(true)
  })

  it('posts a custom payload', async () => {
    nock(HOST).post(PATH, { survey: 'NPS', score: 9 }).reply(202, {})
    await run({ eventPayload: { survey: 'NPS', score: { '@path': '$.properties.score' } } })
  })

  it('uses Basic username:token when asked, and no token header', async () => {
    const basic = `Basic ${Buffer.from(`ada@example.com:${API_TOKEN}`).toString('base64')}`
    nock(HOST, { reqheaders: { authorization: basic }, badheaders: ['x-api-token'] })
      .post(PATH)
      .reply(202, {})
    await run({ authMethod: 'basic', username: 'ada@example.com' })
  })

  describe('bad input sends nothing', () => {
    it.each([
      ['a foreign host', 'https://evil.example.com/hook'],
      ['a look-alike host', 'https://iad1.qualtrics.com.evil.com/hook'],
      ['plain http', `http://iad1.qualtrics.com${PATH}`],
      ['credentials in the URL', `https://u:p@iad1.qualtrics.com${PATH}`],
      ['a host that url.parse ends at ";"', `https://evil.example;.qualtrics.com${PATH}`],
      ['an API v3 path on a Qualtrics host', 'https://iad1.qualtrics.com/API/v3/whoami?urlTokenId=3f2a']
    ])('%s', async (_why, workflowUrl) => {
      await expect(run({ workflowUrl })).rejects.toThrow(/not a Qualtrics JSON Event URL/)
    })

    it('a workflow URL that is not a URL', async () => {
      await expect(run({ workflowUrl: 'not a url' })).rejects.toThrow('Workflow URL must be a valid URI string')
    })

    it('a missing workflow URL', async () => {
      await expect(run({ workflowUrl: undefined })).rejects.toThrow("missing the required field 'workflowUrl'")
    })

    it('Basic without a username', async () => {
      await expect(run({ authMethod: 'basic' })).rejects.toThrow('Qualtrics username is missing')
    })

    it('a body over 100 KB', async () => {
      await expect(run({ eventPayload: { blob: 'x'.repeat(102_400) } })).rejects.toThrow(
        /over Qualtrics' JSON Event limit of 102400 bytes \(100 KB\); nothing was sent/
      )
    })

    it('an invalid datacenter', async () => {
      await expect(
        testDestination.testAction('triggerXflow', {
          event: track,
          settings: { ...settings, datacenter: 'iad1@evil' },
          mapping: { workflowUrl: WORKFLOW_URL },
          useDefaultMappings: true
        })
      ).rejects.toThrow(/Datacenter ID/)
    })
  })

  describe('errors from Qualtrics', () => {
    it.each(ERROR_STATUSES)('$status', async ({ status, expected, retryable, text }) => {
      nock(HOST).post(PATH).reply(status, qualtricsError(status, 'bad thing'))
      const error = await run().catch((e) => e)
      expect(error).toMatchObject(expected)
      expect(error.message).toMatch(text)
      expect(isRetryableStatus(error.status)).toBe(retryable)
    })

    it('404 says the workflow URL was not found', async () => {
      nock(HOST).post(PATH).reply(404, '')
      await expect(run()).rejects.toThrow(/workflow URL was not found/)
    })
  })
})
