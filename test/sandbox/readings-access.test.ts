import { startSandbox } from '../../src/sandbox'
import type { Readings, Sandbox } from '../../src/sandbox'
import { IMPORT_RECORDS_PER_SECOND, IMPORT_START_DELAY_MS } from '../../src/sandbox/imports'
import {
  CLIENT_ID,
  CLIENT_SCOPES,
  DIR,
  ML,
  OTHER_TOKEN,
  accessToken,
  api,
  bearer,
  call,
  expectQualtricsError,
  requestToken,
  state,
  testSeed
} from './helpers'

/** Who may do what under each reading (OAuth scopes, event subscriptions), and what Qualtrics removed. */

let sandbox: Sandbox | undefined
afterEach(async () => {
  await sandbox?.close()
  sandbox = undefined
})

const startWith = async (readings: Partial<Readings>) => (sandbox = await startSandbox({ seed: testSeed(), readings }))
const FOUR_SCOPES = [
  'read:directories',
  'read:mailing_lists',
  'manage:directory_contacts',
  'manage:contact_transactions'
]

describe('OAuth clients', () => {
  it('grants what the seed gives, and asks no scope on whoami, in the asSeeded reading', async () => {
    const target = await startWith({ oauthScopes: 'asSeeded' })
    expect((await requestToken(target)).body.scope).toBe(CLIENT_SCOPES.join(' '))
    const token = await accessToken(target, 'manage:erasure_requests')
    expect((await call(target, 'GET', api('/whoami'), undefined, bearer(token))).status).toBe(200)
    expect((await call(target, 'GET', api('/op-erase-personal-data'), undefined, bearer(token))).status).toBe(200)
  })

  it('limits each client to the four XM Directory scopes in the fourScopeClients reading', async () => {
    const target = await startWith({ oauthScopes: 'fourScopeClients' })
    const granted = await requestToken(target)
    expect(granted.body.scope.split(' ')).toEqual(FOUR_SCOPES)
    // Asking for a scope the client lacks gets invalid_scope and no token at all, as the OAuth standard says.
    const asked = await requestToken(target, {
      grant_type: 'client_credentials',
      scope: 'read:directories manage:erasure_requests'
    })
    expect(asked.status).toBe(400)
    expect(asked.body).toEqual({
      error: 'invalid_scope',
      error_description: expect.stringContaining('manage:erasure_requests')
    })
    // A call needing a scope the token lacks is a 403 naming it.
    const token = granted.body.access_token as string
    const erasure = await call(target, 'GET', api('/op-erase-personal-data'), undefined, bearer(token))
    expect(erasure.status).toBe(403)
    expectQualtricsError(
      erasure.body,
      '403 - Forbidden',
      'SANDBOX_SCOPE',
      expect.stringContaining('manage:erasure_requests')
    )
    // whoami needs read:users here, which such a client cannot have; the API token still reaches it.
    const whoami = await call(target, 'GET', api('/whoami'), undefined, bearer(token))
    expectQualtricsError(whoami.body, '403 - Forbidden', 'SANDBOX_SCOPE', expect.stringContaining('read:users'))
    expect((await call(target, 'GET', api('/whoami'))).status).toBe(200)
    // The four scopes still reach what they cover.
    expect((await call(target, 'GET', api('/directories'), undefined, bearer(token))).status).toBe(200)
    const oauthClients = (await state(target)).oauthClients
    expect(oauthClients.find((c: { clientId: string }) => c.clientId === CLIENT_ID).scopes).toEqual(FOUR_SCOPES)
  })
})

describe('event subscriptions', () => {
  const subscribe = (target: Sandbox, token?: string) =>
    call(
      target,
      'POST',
      api('/eventsubscriptions'),
      { topics: 'surveyengine.completedResponse.SV_1', publicationUrl: 'http://127.0.0.1:9/hook', encrypt: false },
      token ? { 'x-api-token': token } : undefined
    )

  it('are made by any user in the anyUser reading', async () => {
    const target = await startWith({ eventSubscriptions: 'anyUser' })
    expect((await subscribe(target, OTHER_TOKEN)).status).toBe(200)
  })

  it('are made by brand administrators only in the brandAdmins reading (403 for others)', async () => {
    const target = await startWith({ eventSubscriptions: 'brandAdmins' })
    const refused = await subscribe(target, OTHER_TOKEN)
    expectQualtricsError(
      refused.body,
      '403 - Forbidden',
      'SANDBOX_FORBIDDEN',
      expect.stringMatching(/brand administrator/)
    )
    expect((await state(target)).eventSubscriptions).toEqual([])
    expect((await subscribe(target)).status).toBe(200)
  })
})

describe('Qualtrics as it is since 30 June 2026, in every profile', () => {
  const REMOVED = [
    ['GET', `/directories/${DIR}/mailinglists/${ML}/transactioncontacts/PGR_1/summary`, /import status/],
    ['GET', '/mailinglists', /XM Directory/],
    ['POST', '/mailinglists/ML_1/contacts', /XM Directory/],
    ['GET', '/mailinglists/ML_1/contactimports/CI_1', /XM Directory/],
    ['GET', `/directories/${DIR}/frequencyrules`, /frequency rules/],
    ['DELETE', `/directories/${DIR}/frequencyrules/FR_1`, /frequency rules/],
    ['GET', `/directories/${DIR}/samples`, /samples/],
    ['GET', `/directories/${DIR}/samples/definitions/SD_1`, /samples/],
    ['GET', `/directories/${DIR}/segments/SEG_1/contacts`, /segment memberships/],
    ['GET', `/directories/${DIR}/segments/SEG_1/contacts/CID_1`, /segment memberships/]
  ] as const

  it.each(['default', 'strict'] as const)('answers 404 on each removed endpoint (%s profile)', async (profile) => {
    sandbox = await startSandbox({ seed: testSeed(), profile })
    for (const [method, path, replacement] of REMOVED) {
      // Removed is removed: the answer does not depend on the token.
      for (const headers of [undefined, {}]) {
        const reply = await call(sandbox, method, api(path), undefined, headers)
        expect([method, path, reply.status]).toEqual([method, path, 404])
        expectQualtricsError(
          reply.body,
          '404 - Not Found',
          'SANDBOX_ENDPOINT_REMOVED',
          expect.stringMatching(replacement)
        )
        expect(reply.body.meta.error.errorMessage).toContain('30 June 2026')
      }
    }
  })

  it.each(['default', 'strict'] as const)('lists invalidEmails in the import status (%s profile)', async (profile) => {
    sandbox = await startSandbox({ seed: testSeed(), profile })
    const batch = await call(sandbox, 'POST', api(`/directories/${DIR}/transactionbatches`), {
      creationDate: '2026-12-01T10:00:00'
    })
    const path = api(`/directories/${DIR}/mailinglists/${ML}/transactioncontacts`)
    const body = {
      transactionMeta: { batchId: batch.body.result.id, fields: [] },
      contacts: [{ email: 'not-an-address' }]
    }
    const { id } = (await call(sandbox, 'POST', path, body)).body.result
    sandbox.clock.advance(IMPORT_START_DELAY_MS + 1000 / IMPORT_RECORDS_PER_SECOND)
    const status = (await call(sandbox, 'GET', `${path}/${id}`)).body.result
    expect(status).toMatchObject({ status: 'complete', invalidEmails: ['not-an-address'] })
    expect((await call(sandbox, 'GET', `${path}/${id}/summary`)).status).toBe(404)
  })
})
