import { createTestEvent } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './qualtrics'
import { SEARCH, TRANSACTIONS } from './transactions'
import type { QualtricsUnderTest } from './instance'

/** One purchase, with the person's identifiers in context.traits. */
export const transactionEvent = (overrides: Record<string, unknown> = {}) =>
  createTestEvent({
    type: 'track',
    event: 'Transaction Created',
    userId: 'user-1',
    messageId: 'msg-1',
    timestamp: '2024-03-01T10:15:30.000+02:00',
    properties: { orderId: 'o-1', total: 42.5, paid: true, items: [{ sku: 'a' }] },
    traits: undefined,
    context: { traits: { email: 'ada@example.com', phone: '+15550100', firstName: 'Ada' } },
    ...overrides
  })

/** upsertContactTransaction on one event of the instance, into the test directory and mailing list. */
export function transactionActionOn(instance: QualtricsUnderTest) {
  return (event = transactionEvent(), mapping: Record<string, unknown> = {}) =>
    instance.testDestination.testAction('upsertContactTransaction', {
      event,
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, ...mapping },
      useDefaultMappings: true
    })
}

const expectedTransaction = (contactId: string) => ({
  'msg-1': {
    mailingListId: MAILING_LIST,
    transactionDate: '2024-03-01 08:15:30',
    data: { orderId: 'o-1', total: 42.5, paid: true, items: '[{"sku":"a"}]', segmentMessageId: 'msg-1' },
    contactId
  }
})

/** A contact search by one identifier, answering these contact ids. */
export const search = (filterType: string, value: string, ids: string[]) =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))

/** The transaction of transactionEvent() for this contact, created. */
export const created = (contactId: string) =>
  qualtrics()
    .post(TRANSACTIONS, expectedTransaction(contactId))
    .reply(200, ok({ createdTransactions: { 'msg-1': { id: 'CTR_1' } } }))
