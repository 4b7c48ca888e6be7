import type { Answer, Call } from './call'
import { MAX_MEMBER_PAGE_SIZE } from './mailing-lists'
import { page } from './paging'

/** The mailing-list endpoints: a directory's lists and their members (./mailing-lists.ts holds the rules). */

export function listMailingLists({ store, params, url, nextPageOrigin, pageSize }: Call): Answer {
  const { elements, nextPage } = page(store.listMailingLists(params.directoryId), url, nextPageOrigin, pageSize)
  return [200, { result: { elements, nextPage } }]
}

export function createMailingList({ store, params, body }: Call): Answer {
  return [200, { result: store.mailingLists(params.directoryId).create(body) }]
}

export function getMailingList({ store, params }: Call): Answer {
  return [200, { result: store.mailingLists(params.directoryId).get(params.mailingListId) }]
}

export function listMembers({ store, params, url, nextPageOrigin, pageSize }: Call): Answer {
  const lists = store.mailingLists(params.directoryId)
  const members = lists.members(params.mailingListId)
  const { elements, nextPage } = page(members, url, nextPageOrigin, pageSize, MAX_MEMBER_PAGE_SIZE)
  const includeEmbedded = url.searchParams.get('includeEmbedded') === 'true'
  return [200, { result: { elements: lists.describeMembers(elements, includeEmbedded), nextPage } }]
}

/** `POST …/mailinglists/{CG}/contacts`: the contact is created (or merged) in the directory, then made a member. */
export function addMember({ store, params, body }: Call): Answer {
  return [200, { result: store.mailingLists(params.directoryId).addContact(params.mailingListId, body) }]
}

export function removeMember({ store, params }: Call): Answer {
  store.mailingLists(params.directoryId).remove(params.mailingListId, params.contactId)
  return [200, {}]
}
