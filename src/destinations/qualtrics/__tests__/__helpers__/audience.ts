import { createTestEvent } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics } from './qualtrics'

export const AUDIENCE_KEY = 'cart_abandoners'
export const EXTERNAL_ID = `${DIRECTORY}:${MAILING_LIST}`
export const DIR = `/API/v3/directories/${DIRECTORY}`
export const LIST = `${DIR}/mailinglists/${MAILING_LIST}`
export const LIST_CONTACTS = `${LIST}/contacts`
export const SEARCH = `${DIR}/contacts/search`

export const personas = (overrides: Record<string, unknown> = {}) => ({
  computation_class: 'audience',
  computation_key: AUDIENCE_KEY,
  computation_id: 'aud_1',
  external_audience_id: EXTERNAL_ID,
  namespace: 'spa_1',
  ...overrides
})

/** An Engage identify: the membership is the trait named by the audience key. */
export function engageIdentify(member: unknown, overrides: Partial<SegmentEvent> = {}): SegmentEvent {
  return createTestEvent({
    type: 'identify',
    userId: 'user-1',
    traits: { email: 'ada@example.com', firstName: 'Ada', [AUDIENCE_KEY]: member },
    context: { personas: personas() },
    ...overrides
  } as Partial<SegmentEvent>)
}

/** An Engage track: Audience Entered / Exited with the membership as the property, identifiers in context.traits. */
export function engageTrack(member: boolean, overrides: Partial<SegmentEvent> = {}): SegmentEvent {
  return createTestEvent({
    type: 'track',
    event: member ? 'Audience Entered' : 'Audience Exited',
    userId: 'user-1',
    properties: { [AUDIENCE_KEY]: member, audience_key: AUDIENCE_KEY },
    context: { personas: personas(), traits: { email: 'ada@example.com' } },
    ...overrides
  } as Partial<SegmentEvent>)
}

/** GET /directories answering one directory with these deduplication criteria. */
export function directoriesWith(criteria: Record<string, boolean>, directoryId = DIRECTORY) {
  return qualtrics()
    .get('/API/v3/directories')
    .reply(200, ok({ elements: [{ directoryId, deduplicationCriteria: criteria }], nextPage: null }))
}

export const EMAIL_DEDUP = {
  email: true,
  firstName: false,
  lastName: false,
  externalDataReference: false,
  phone: false
}

/** The error a call rejects with; a call that succeeds fails the test. */
export async function failure(promise: Promise<unknown>) {
  const result = await promise.then(
    () => undefined,
    (error: unknown) => ({ error })
  )
  if (!result) throw new Error('expected the call to fail, and it succeeded')
  return result.error as { status: number; code?: string; message: string }
}
