import { randomBytes } from 'node:crypto'
import { isLoopbackHostname, redactSecret } from '../../destinations/qualtrics'
import { isSurveyId } from './callback'
import { callQualtrics, QualtricsCallError } from './qualtrics-api'
import type { QualtricsAccess } from './qualtrics-api'

/** A subscription as `GET /eventsubscriptions` lists it (the shared key is never shown). */
export interface Subscription {
  id: string
  topics: string
  publicationUrl: string
}

/** A fresh shared key: 32 random bytes as hex. */
export function newSharedKey(): string {
  return randomBytes(32).toString('hex')
}

export const completedResponseTopic = (surveyId: string) => `surveyengine.completedResponse.${surveyId}`

/** Registers the receiver's URL for a survey's completed responses; returns the subscription id. */
export async function subscribe(
  access: QualtricsAccess,
  surveyId: string,
  publicationUrl: string,
  sharedKey: string
): Promise<string> {
  if (!isSurveyId(surveyId)) throw new Error(`--survey "${surveyId}" is not a survey id (SV_…)`)
  let url: URL
  try {
    url = new URL(publicationUrl)
  } catch {
    throw new Error(`--url "${publicationUrl}" is not a URL`)
  }
  if (url.protocol !== 'https:' && !isLoopbackHostname(url.hostname)) {
    throw new Error(`--url must be https (Qualtrics posts from the internet), not ${url.protocol}`)
  }
  let result: Record<string, unknown>
  try {
    result = await callQualtrics(access, 'POST', '/eventsubscriptions', {
      topics: completedResponseTopic(surveyId),
      publicationUrl,
      encrypt: false,
      sharedKey
    })
  } catch (error) {
    // Qualtrics' error text may echo the request body, and the shared key is in it.
    const clean = redactSecret(error as Error, sharedKey)
    if (clean instanceof QualtricsCallError && clean.status === 403) {
      clean.message = `${clean.message}. Creating an event subscription needs a brand administrator's API token (Qualtrics' rule): run this with one, or ask a brand administrator to.`
    }
    throw clean
  }
  if (typeof result.id !== 'string') throw new Error('Qualtrics answered without a subscription id')
  return result.id
}

export async function listSubscriptions(access: QualtricsAccess): Promise<Subscription[]> {
  const result = await callQualtrics(access, 'GET', '/eventsubscriptions')
  const elements = Array.isArray(result.elements) ? result.elements : []
  return elements.map((e: Record<string, unknown>) => ({
    id: String(e.id),
    topics: String(e.topics ?? ''),
    publicationUrl: String(e.publicationUrl ?? '')
  }))
}

export async function unsubscribe(access: QualtricsAccess, id: string): Promise<void> {
  await callQualtrics(access, 'DELETE', `/eventsubscriptions/${encodeURIComponent(id)}`)
}
