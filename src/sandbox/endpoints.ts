import * as account from './account-calls'
import type { EndpointRow } from './call'
import * as contacts from './contact-calls'
import * as transactions from './import-calls'
import * as lists from './mailing-list-calls'
import type { OAuthScope } from './oauth'
import * as surveys from './survey-calls'

/**
 * Every endpoint the sandbox serves, once: its method and path, its name, the OAuth scope a Bearer token needs, its
 * rate limit and its handler. Routing (./routes.ts), rate limits (./rate-limits.ts), scopes (./authentication.ts),
 * fault rules (./faults.ts) and statistics all read this table.
 *
 * Scopes: Qualtrics documents none per endpoint. The ones below are the scopes a client is seen to be granted for
 * that kind of work (§13 of the research notes); where none fits, the sandbox picks the nearest and says so.
 * Limits: Qualtrics' per-endpoint table (§7, weakly sourced); contact and list-member deletes, which it leaves out,
 * get update's 500.
 */

const V3 = '/API/v3'
const DIRECTORIES: OAuthScope = 'read:directories'
const LISTS: OAuthScope = 'read:mailing_lists'
// No list-creation scope has been seen; creating the list the members go into is the sandbox's pick.
const LIST_MEMBERS: OAuthScope = 'write:mailing_list_contacts'
const CONTACTS: OAuthScope = 'manage:directory_contacts'
const TRANSACTIONS: OAuthScope = 'manage:contact_transactions'
const ERASURE: OAuthScope = 'manage:erasure_requests'

// Where a literal path and a parameter could both match (`contacts/search`, `contacts/{contactId}`), the literal wins.
export const ENDPOINT_TABLE = [
  // Qualtrics documents no scope for whoami; DataGrail's set-up lists read:users beside it, which four-scope clients lack.
  { name: 'whoami', method: 'GET', path: `${V3}/whoami`, fourScopeClientsScope: 'read:users', handle: account.whoami },
  {
    name: 'directories.list',
    method: 'GET',
    path: `${V3}/directories`,
    scope: DIRECTORIES,
    handle: account.listDirectories
  },

  {
    name: 'mailinglists.list',
    method: 'GET',
    path: `${V3}/directories/{directoryId}/mailinglists`,
    scope: LISTS,
    handle: lists.listMailingLists
  },
  {
    name: 'mailinglists.create',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/mailinglists`,
    scope: LIST_MEMBERS,
    handle: lists.createMailingList
  },
  {
    name: 'mailinglists.get',
    method: 'GET',
    path: `${V3}/directories/{directoryId}/mailinglists/{mailingListId}`,
    scope: LISTS,
    handle: lists.getMailingList
  },
  {
    name: 'mailinglistContacts.list',
    method: 'GET',
    path: `${V3}/directories/{directoryId}/mailinglists/{mailingListId}/contacts`,
    scope: LISTS,
    handle: lists.listMembers
  },
  {
    name: 'mailinglistContacts.create',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/mailinglists/{mailingListId}/contacts`,
    scope: LIST_MEMBERS,
    perMinute: 500,
    handle: lists.addMember
  },
  {
    name: 'mailinglistContacts.delete',
    method: 'DELETE',
    path: `${V3}/directories/{directoryId}/mailinglists/{mailingListId}/contacts/{contactId}`,
    scope: LIST_MEMBERS,
    perMinute: 500,
    handle: lists.removeMember
  },

  {
    name: 'contacts.create',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/contacts`,
    scope: CONTACTS,
    perMinute: 500,
    handle: contacts.createContact
  },
  {
    name: 'contacts.search',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/contacts/search`,
    scope: CONTACTS,
    perMinute: 500,
    handle: contacts.searchContacts
  },
  {
    name: 'contacts.get',
    method: 'GET',
    path: `${V3}/directories/{directoryId}/contacts/{contactId}`,
    scope: CONTACTS,
    handle: contacts.getContact
  },
  {
    name: 'contacts.update',
    method: 'PUT',
    path: `${V3}/directories/{directoryId}/contacts/{contactId}`,
    scope: CONTACTS,
    perMinute: 500,
    handle: contacts.updateContact
  },
  {
    name: 'contacts.delete',
    method: 'DELETE',
    path: `${V3}/directories/{directoryId}/contacts/{contactId}`,
    scope: CONTACTS,
    perMinute: 500,
    handle: contacts.deleteContact
  },

  {
    name: 'transactions.create',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/transactions`,
    scope: TRANSACTIONS,
    perMinute: 500,
    handle: transactions.createTransactions
  },
  // Qualtrics names no scope for batches and imports: the sandbox asks for the transaction and contact scopes they write.
  {
    name: 'transactionbatches.create',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/transactionbatches`,
    scope: TRANSACTIONS,
    perMinute: 500,
    handle: transactions.createTransactionBatch
  },
  {
    name: 'imports.create',
    method: 'POST',
    path: `${V3}/directories/{directoryId}/mailinglists/{mailingListId}/transactioncontacts`,
    scope: CONTACTS,
    perMinute: 100,
    handle: transactions.startImport
  },
  {
    name: 'imports.get',
    method: 'GET',
    path: `${V3}/directories/{directoryId}/mailinglists/{mailingListId}/transactioncontacts/{importId}`,
    scope: CONTACTS,
    handle: transactions.importStatus
  },

  {
    name: 'erasure.create',
    method: 'POST',
    path: `${V3}/op-erase-personal-data`,
    scope: ERASURE,
    perMinute: 20,
    handle: account.requestErasure
  },
  {
    name: 'erasure.list',
    method: 'GET',
    path: `${V3}/op-erase-personal-data`,
    scope: ERASURE,
    handle: account.listErasureRequests
  },

  // Qualtrics names no scope for subscriptions, responses or survey definitions, and none seen fits: a token needs none.
  {
    name: 'eventsubscriptions.create',
    method: 'POST',
    path: `${V3}/eventsubscriptions`,
    handle: surveys.createSubscription
  },
  {
    name: 'eventsubscriptions.list',
    method: 'GET',
    path: `${V3}/eventsubscriptions`,
    handle: surveys.listSubscriptions
  },
  {
    name: 'eventsubscriptions.get',
    method: 'GET',
    path: `${V3}/eventsubscriptions/{subscriptionId}`,
    handle: surveys.getSubscription
  },
  {
    name: 'eventsubscriptions.delete',
    method: 'DELETE',
    path: `${V3}/eventsubscriptions/{subscriptionId}`,
    handle: surveys.deleteSubscription
  },
  {
    name: 'responses.get',
    method: 'GET',
    path: `${V3}/surveys/{surveyId}/responses/{responseId}`,
    handle: surveys.getResponse
  },
  {
    name: 'surveydefinitions.get',
    method: 'GET',
    path: `${V3}/survey-definitions/{surveyId}`,
    handle: surveys.getSurveyDefinition
  },

  {
    name: 'workflow.trigger',
    method: 'POST',
    path: '/inbound-event/v1/events/json/triggers',
    access: 'jsonEvent',
    handle: account.triggerWorkflow
  },
  // At the origin's root, as Qualtrics serves it, not under /API/v3.
  { name: 'oauth.token', method: 'POST', path: '/oauth2/token', access: 'tokenGrant', handle: account.issueToken }
] as const satisfies readonly EndpointRow[]

/** The sandbox's names for its endpoints (the destination names its own; a test compares the two lists). */
export type Endpoint = (typeof ENDPOINT_TABLE)[number]['name']
export const ENDPOINT_NAMES: readonly Endpoint[] = ENDPOINT_TABLE.map((row) => row.name)

/** A row of the table, as routing hands it on. */
export type EndpointEntry = EndpointRow & { name: Endpoint }
export const ENDPOINT_ROWS: readonly EndpointEntry[] = ENDPOINT_TABLE

/** The scope a Bearer token needs per endpoint, read off the table. */
export const ROUTE_SCOPES: Partial<Record<Endpoint, OAuthScope>> = Object.fromEntries(
  ENDPOINT_ROWS.flatMap((row) => (row.access !== 'tokenGrant' && row.scope ? [[row.name, row.scope]] : []))
)
