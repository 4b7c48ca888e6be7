import type { MailingLists } from './mailing-lists'
import { MAX_MEMBER_PAGE_SIZE } from './mailing-lists'
import type { Call } from './operations'
import { page } from './paging'

/** The mailing-list routes: `[directory, list, contact]` come from the path, in that order. */
export function performMailingListCall(
  lists: MailingLists,
  call: Call,
  pageSize: number
): [number, Record<string, unknown>] {
  const [, mailingListId, contactId] = call.route.params
  switch (call.route.endpoint) {
    case 'mailinglists.create':
      return [200, { result: lists.create(call.body) }]
    case 'mailinglists.get':
      return [200, { result: lists.get(mailingListId) }]
    case 'mailinglistContacts.list': {
      const members = lists.members(mailingListId)
      const { elements, nextPage } = page(members, call.url, call.origin, pageSize, MAX_MEMBER_PAGE_SIZE)
      const includeEmbedded = call.url.searchParams.get('includeEmbedded') === 'true'
      return [200, { result: { elements: lists.describeMembers(elements, includeEmbedded), nextPage } }]
    }
    case 'mailinglistContacts.create':
      return [200, { result: lists.addContact(mailingListId, call.body) }]
    case 'mailinglistContacts.delete':
      lists.remove(mailingListId, contactId)
      return [200, {}]
    default:
      throw new Error(`${call.route.endpoint} is not a mailing-list route`)
  }
}
