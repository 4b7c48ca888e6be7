import { createRequestClient } from '@segment/actions-core'
import { MailingListClient, QualtricsClient } from '..'
import { DIRECTORY, MAILING_LIST, ok, qualtricsError } from '../../__tests__/__helpers__/qualtrics'
import {
  FEATURE_SCOPES,
  issued,
  oauthSettings,
  SECOND_TOKEN,
  tokenEndpointFor,
  withBearer
} from '../../__tests__/__helpers__/oauth'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

// Clients are often set up with four scopes (research notes §16), and asking for a scope the client lacks gets
// invalid_scope and no token at all (RFC 6749 §5.2). A token is asked for every scope the features need; when that is
// refused, the client asks again for less, and only a call that needs a scope the client lacks fails, naming it.

const instance = instanceForEachTest()
const client = () => new QualtricsClient(createRequestClient(), oauthSettings, instance.state)
const listClient = () => new MailingListClient(createRequestClient(), oauthSettings, instance.state)
const LIST_SCOPE = 'write:mailing_list_contacts'
const FOUR_SCOPES = FEATURE_SCOPES.filter((scope) => scope !== LIST_SCOPE)
const refused = (description?: string) => ({
  error: 'invalid_scope',
  ...(description ? { error_description: description } : {})
})
const search = (token: string) =>
  withBearer(token)
    .post(`/API/v3/directories/${DIRECTORY}/contacts/search`)
    .query({ pageSize: '100' })
    .reply(200, ok({ elements: [{ id: 'CID_1', extRef: 'u1' }], nextPage: null }))

describe('a client that lacks a scope the features ask for', () => {
  it('asks again without the scope Qualtrics named, and the call that needs none of it goes through', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(400, refused(`The scope ${LIST_SCOPE} is not granted to this client.`))
    tokenEndpointFor(FOUR_SCOPES).reply(200, issued())
    search('access-TOKEN-aaaa-1111')
    await expect(client().searchContacts(DIRECTORY, 'extRef', 'u1')).resolves.toEqual([
      expect.objectContaining({ id: 'CID_1' })
    ])
  })

  it('remembers the refusal: the next invocation asks for the smaller set at once', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(400, refused(`The scope ${LIST_SCOPE} is not granted to this client.`))
    // A token that is not kept (no lifetime), so that the second invocation must ask again.
    tokenEndpointFor(FOUR_SCOPES).twice().reply(200, issued('access-TOKEN-aaaa-1111', 0))
    search('access-TOKEN-aaaa-1111')
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search`)
      .query(true)
      .reply(200, ok({ elements: [], nextPage: null }))
    await client().searchContacts(DIRECTORY, 'extRef', 'u1')
    await expect(client().searchContacts(DIRECTORY, 'extRef', 'u2')).resolves.toEqual([])
  })

  it('a call that needs the refused scope asks for it alone, and fails naming it and the call (nothing else sent)', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(400, refused(`The scope ${LIST_SCOPE} is not granted to this client.`))
    tokenEndpointFor([LIST_SCOPE]).reply(400, refused(`The scope ${LIST_SCOPE} is not granted to this client.`))
    const error = await listClient()
      .addToMailingList(DIRECTORY, MAILING_LIST, { email: 'a@x.co' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'OAUTH_SCOPE_MISSING', status: 400 })
    expect((error as Error).message).toMatch(
      new RegExp(`lacks the scope ${LIST_SCOPE}.*add the contact to mailing list ${MAILING_LIST} needs`)
    )
  })

  it('a call that needs the refused scope gets it when the client has it after all (a token of that scope alone)', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(400, refused('The scope manage:contact_transactions is not granted.'))
    tokenEndpointFor(['manage:contact_transactions']).reply(200, issued(SECOND_TOKEN))
    withBearer(SECOND_TOKEN)
      .post(`/API/v3/directories/${DIRECTORY}/transactions`)
      .reply(200, ok({ createdTransactions: { k: { id: 'CTR_1' } } }))
    const answer = await client().createTransactions(DIRECTORY, {
      k: { contactId: 'CID_1', mailingListId: MAILING_LIST, transactionDate: '2026-12-01 10:00:00', data: {} }
    })
    expect(answer.createdTransactions).toEqual({ k: { id: 'CTR_1' } })
  })

  it('a refusal that names no scope: each call asks for the scope it needs', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(400, refused())
    tokenEndpointFor(['manage:directory_contacts']).reply(200, issued())
    search('access-TOKEN-aaaa-1111')
    await expect(client().searchContacts(DIRECTORY, 'extRef', 'u1')).resolves.toHaveLength(1)
  })
})

describe('Test connection with OAuth', () => {
  it('does not need read:users: a whoami refused for a scope is checked by listing directories instead', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(200, issued())
    withBearer()
      .get('/API/v3/whoami')
      .reply(403, qualtricsError(403, 'This token needs the scope read:users.', 'SCOPE'))
    withBearer()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: DIRECTORY }], nextPage: null }))
    await expect(instance.testDestination.testAuthentication(oauthSettings)).resolves.not.toThrow()
  })

  it('a client whose credentials Qualtrics rejects still fails', async () => {
    tokenEndpointFor([...FEATURE_SCOPES]).reply(401, { error: 'invalid_client' })
    await expect(instance.testDestination.testAuthentication(oauthSettings)).rejects.toThrow(/Client ID or secret/)
  })
})
