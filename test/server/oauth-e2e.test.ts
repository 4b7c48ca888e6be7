import { Destination } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import { createQualtrics } from '../../src/destinations/qualtrics'
import { startSandbox } from '../../src/sandbox'
import type { Sandbox, SandboxSeed } from '../../src/sandbox'
import { eachProfile } from '../profiles'

// An enterprise brand whose users have no API token for REST calls: everything runs over real HTTP on 127.0.0.1
// against the sandbox's OAuth token endpoint and Bearer checks, through the destination as Segment runs it.
const TOKEN = 'oauth-e2e-api-token-0001'
const CLIENT_ID = 'oauth-e2e-client'
const CLIENT_SECRET = 'oauth-e2e-client-secret-0001'
const DIRECTORY = 'POOL_oauthe2e00001'
const MAILING_LIST = 'CG_oauthe2e0001'
const WORKFLOW = '0a0e2e00-0000-4000-8000-000000000003'
const WORKFLOW_URL = `https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=${WORKFLOW}`
const SEED: SandboxSeed = {
  users: [
    { token: TOKEN, userName: 'admin@example.com', userId: 'UR_oauth1', brandId: 'oauth-brand', brandAdmin: true }
  ],
  clients: [
    {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      userId: 'UR_oauth1',
      scopes: [
        'read:directories',
        'read:mailing_lists',
        'manage:directory_contacts',
        'manage:contact_transactions',
        'write:mailing_list_contacts',
        'manage:erasure_requests'
      ]
    }
  ],
  directories: [
    {
      directoryId: DIRECTORY,
      name: 'OAuth brand',
      deduplicationCriteria: { email: true },
      mailingLists: [{ mailingListId: MAILING_LIST, name: 'Buyers' }]
    }
  ],
  workflows: [{ urlTokenId: WORKFLOW }]
}
const OAUTH_ONLY = { datacenter: 'iad1', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }

eachProfile((profile) => {
  let sandbox: Sandbox
  /** The destination pointed at the sandbox, as npm start makes it. */
  let definition: ReturnType<typeof createQualtrics>
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1')
    sandbox = await startSandbox({ port: 0, seed: SEED, profile })
    definition = createQualtrics({ apiOrigin: sandbox.url })
  })
  afterAll(() => sandbox.close())

  interface State {
    directories: {
      contacts: { id: string; extRef?: string; email?: string }[]
      transactions: { contactId: string }[]
    }[]
    workflowRuns: { auth: string }[]
  }
  const state = async () => (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as State
  const stats = async () =>
    (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as {
      callsByAuth: Record<string, number>
      oauth: { tokensIssued: number }
    }

  function deliver(event: Partial<SegmentEvent>, partnerAction: string, mapping: JSONObject, settings: JSONObject) {
    const subscription = { subscribe: `type = "${event.type}"`, partnerAction, mapping }
    return new Destination(definition).onEvent(
      { messageId: `m-${Math.random()}`, timestamp: '2026-11-27T10:00:00Z', ...event } as SegmentEvent,
      { ...settings, subscription } as unknown as JSONObject
    )
  }

  const identify = {
    type: 'identify' as const,
    userId: 'oauth-user-1',
    traits: { email: 'ada@example.com', firstName: 'Ada' }
  }
  const contactMapping = {
    directoryId: DIRECTORY,
    extRef: { '@path': '$.userId' },
    email: { '@path': '$.traits.email' },
    firstName: { '@path': '$.traits.firstName' }
  }
  const transactionMapping = {
    directoryId: DIRECTORY,
    mailingListId: MAILING_LIST,
    extRef: { '@path': '$.userId' },
    email: { '@path': '$.properties.email' },
    transactionDate: { '@path': '$.timestamp' },
    transactionData: { '@path': '$.properties' },
    messageId: { '@path': '$.messageId' }
  }
  const workflowMapping = { workflowUrl: WORKFLOW_URL, eventPayload: { event: { '@path': '$.event' } } }

  describe('a brand with an OAuth client only', () => {
    it('creates a contact, adds a transaction and deletes the user, with Bearer tokens alone', async () => {
      const before = await stats()
      await deliver(identify, 'upsertContact', contactMapping, OAUTH_ONLY)
      await deliver(
        {
          type: 'track',
          event: 'Transaction Created',
          userId: 'oauth-user-1',
          properties: { email: 'ada@example.com', total: 42 }
        },
        'upsertContactTransaction',
        transactionMapping,
        OAUTH_ONLY
      )
      let directory = (await state()).directories[0]
      expect(directory.contacts).toEqual([
        expect.objectContaining({ extRef: 'oauth-user-1', email: 'ada@example.com' })
      ])
      expect(directory.transactions).toEqual([expect.objectContaining({ contactId: directory.contacts[0].id })])

      const deletion = (await new Destination(definition).onDelete!(
        { userId: 'oauth-user-1', type: 'delete' } as unknown as SegmentEvent,
        OAUTH_ONLY as unknown as JSONObject
      )) as unknown as { contactsDeleted?: number }
      expect(JSON.stringify(deletion)).toContain(directory.contacts[0].id)
      directory = (await state()).directories[0]
      expect(directory.contacts).toEqual([])

      const after = await stats()
      // One token served every call of this process; no call used the API token.
      expect(after.oauth.tokensIssued - before.oauth.tokensIssued).toBe(1)
      expect(after.callsByAuth.Bearer - (before.callsByAuth.Bearer ?? 0)).toBeGreaterThanOrEqual(5)
      expect(after.callsByAuth['X-API-TOKEN'] ?? 0).toBe(before.callsByAuth['X-API-TOKEN'] ?? 0)
    })

    it('Test connection passes whatever scope whoami needs (strict: read:users, which a four-scope client lacks)', async () => {
      await expect(new Destination(definition).testAuthentication(OAUTH_ONLY)).resolves.not.toThrow()
    })

    it('cannot start a workflow (JSON Events take no OAuth) and says the API token is needed', async () => {
      const outcome = await deliver(
        { type: 'track', event: 'Survey Completed', userId: 'oauth-user-1' },
        'triggerXflow',
        workflowMapping,
        OAUTH_ONLY
      ).catch((error: Error) => error)
      expect(String((outcome as Error).message)).toMatch(/API Token/i)
      expect((await state()).workflowRuns).toEqual([])
    })

    it('with both credentials, REST calls use OAuth and the workflow the API token', async () => {
      const both = { ...OAUTH_ONLY, apiToken: TOKEN }
      const before = await stats()
      await deliver({ ...identify, userId: 'oauth-user-2' }, 'upsertContact', contactMapping, both)
      await deliver(
        { type: 'track', event: 'Survey Completed', userId: 'oauth-user-2' },
        'triggerXflow',
        workflowMapping,
        both
      )
      const after = await stats()
      expect(after.callsByAuth.Bearer - (before.callsByAuth.Bearer ?? 0)).toBeGreaterThanOrEqual(1)
      expect((await state()).workflowRuns).toEqual([expect.objectContaining({ auth: 'X-API-TOKEN' })])
    })
  })
})
