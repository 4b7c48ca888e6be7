import { InvalidAuthenticationError } from '@segment/actions-core'
import type { RequestClient } from '@segment/actions-core'
import type { ClientState } from './client-state'
import { cameFromQualtrics } from './errors'
import { QualtricsClient } from './qualtrics-client'
import type { QualtricsAuth, WhoAmI } from './types'

/** One credential's whoami, or a final error when Qualtrics answered without saying whose credential it is. */
async function whoamiOf(client: QualtricsClient, what: string): Promise<WhoAmI> {
  const whoami = await client.whoami()
  if (!whoami.userName) {
    throw new InvalidAuthenticationError(`Qualtrics accepted the ${what} but did not say whose it is (no userName).`)
  }
  return whoami
}

/**
 * The OAuth client's whoami, or, when Qualtrics refuses whoami to its token (403: it may need `read:users`, a scope
 * the actions never need and many clients lack; research notes §16), the directories listing, which every action's
 * settings read: the token works on this datacenter either way, and Test connection needs no scope of its own.
 */
async function oauthCheck(client: QualtricsClient): Promise<WhoAmI> {
  try {
    return await whoamiOf(client, 'OAuth client')
  } catch (error) {
    if (!cameFromQualtrics(error) || (error as { status?: unknown }).status !== 403) throw error
  }
  await client.listDirectories()
  return {}
}

/**
 * testAuthentication: checks every credential that is set, each on its own, and says which failed and why. The API
 * token with whoami; the OAuth client by fetching a new token, then whoami with it or a listing (`oauthCheck`; a
 * token works only on its client's datacenter, so this also proves the Datacenter ID). Settings errors are thrown before any request.
 */
export async function checkCredentials(
  request: RequestClient,
  auth: QualtricsAuth,
  state: ClientState
): Promise<WhoAmI> {
  const client = new QualtricsClient(request, auth, state)
  const checks: Array<{ name: string; run: () => Promise<WhoAmI> }> = []
  if (client.credentialsSet.apiToken) {
    const tokenOnly = { datacenter: auth.datacenter, apiToken: auth.apiToken }
    checks.push({ name: 'API Token', run: () => whoamiOf(new QualtricsClient(request, tokenOnly, state), 'token') })
  }
  if (client.credentialsSet.oauth) {
    const run = async () => {
      await client.renewAccessToken()
      return oauthCheck(client)
    }
    checks.push({ name: 'OAuth client (Client ID and Client secret)', run })
  }
  const failures: Array<{ name: string; error: Error }> = []
  let whoami: WhoAmI = {}
  for (const check of checks) {
    try {
      whoami = await check.run()
    } catch (error) {
      failures.push({ name: check.name, error: error as Error })
    }
  }
  if (failures.length === 0) return whoami
  // The first failure keeps its class and status; its message names every credential that failed.
  const [first] = failures
  first.error.message = failures.map(({ name, error }) => `${name} failed: ${error.message}`).join(' ')
  throw first.error
}
