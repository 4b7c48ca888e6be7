import type { SegmentEvent } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './qualtrics'
import { SEARCH } from './transactions'
import type { QualtricsUnderTest } from './instance'

export type Node = { status: number; errormessage?: string; body?: Record<string, unknown>; sent?: unknown }

/** The multistatus of the instance's first batch, its statuses, and upsertContactTransaction batches to run. */
export function batchesOn(instance: QualtricsUnderTest) {
  const multistatus = () => (instance.testDestination.results[0] as unknown as { multistatus: Node[] }).multistatus
  const statuses = () => multistatus().map((n) => n.status)
  const transactionsBatch = (events: Partial<SegmentEvent>[], mapping: Record<string, unknown> = {}) =>
    instance.testDestination.testBatchAction('upsertContactTransaction', {
      events: events as SegmentEvent[],
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, ...mapping },
      useDefaultMappings: true
    })
  return { multistatus, statuses, transactionsBatch }
}

/** A purchase by user-<n>, without traits (the contact is found by extRef or given). */
export const purchase = (n: number, overrides: Partial<SegmentEvent> = {}): Partial<SegmentEvent> => ({
  type: 'track',
  event: 'Transaction Created',
  userId: `user-${n}`,
  messageId: `msg-${n}`,
  timestamp: '2024-03-01T10:00:00.000Z',
  properties: { orderId: `o-${n}` },
  traits: undefined,
  context: {},
  ...overrides
})

/** A contact search by one identifier (extRef unless told), answering these contact ids. */
export const searchBy = (value: string, ids: string[], filterType = 'extRef') =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))

/** The transaction purchase(n) makes for this contact, as sent. */
export const entry = (contactId: string, n: number) => ({
  contactId,
  mailingListId: MAILING_LIST,
  transactionDate: '2024-03-01 10:00:00',
  data: { orderId: `o-${n}`, segmentMessageId: `msg-${n}` }
})
