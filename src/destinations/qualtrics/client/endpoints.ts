/** The OAuth scopes the client asks for (research notes §13): each call needs one of them, or none. */
export type OAuthScope =
  | 'read:directories'
  | 'read:mailing_lists'
  | 'manage:directory_contacts'
  | 'manage:contact_transactions'
  | 'write:mailing_list_contacts'
  | 'manage:erasure_requests'

const DIRECTORIES: OAuthScope = 'read:directories'
const LISTS: OAuthScope = 'read:mailing_lists'
const LIST_MEMBERS: OAuthScope = 'write:mailing_list_contacts'
const CONTACTS: OAuthScope = 'manage:directory_contacts'
const TRANSACTIONS: OAuthScope = 'manage:contact_transactions'
const ERASURE: OAuthScope = 'manage:erasure_requests'

/**
 * Every Qualtrics endpoint the client calls, by the name each client method gives when it sends (request counters
 * carry it), with the OAuth scope a token for that call is asked with (none: whatever token the client holds, or no
 * OAuth at all). Qualtrics documents no scope per endpoint; these are the scopes clients are seen granted for that
 * work (research notes §13, §16). The names are the sandbox's names for the same endpoints, but the two tables are
 * kept apart on purpose (the sandbox learns nothing from the destination): a test compares them.
 */
const TABLE = {
  'oauth.token': {},
  'workflow.trigger': {},
  whoami: {},
  'directories.list': { scope: DIRECTORIES },
  'mailinglists.list': { scope: LISTS },
  'mailinglists.get': { scope: LISTS },
  'mailinglists.create': { scope: LIST_MEMBERS },
  'mailinglistContacts.create': { scope: LIST_MEMBERS },
  'mailinglistContacts.delete': { scope: LIST_MEMBERS },
  'contacts.create': { scope: CONTACTS },
  'contacts.search': { scope: CONTACTS },
  'contacts.get': { scope: CONTACTS },
  'contacts.update': { scope: CONTACTS },
  'contacts.delete': { scope: CONTACTS },
  'transactions.create': { scope: TRANSACTIONS },
  'transactionbatches.create': { scope: TRANSACTIONS },
  'imports.create': { scope: CONTACTS },
  'imports.get': { scope: CONTACTS },
  'erasure.create': { scope: ERASURE }
}

export type EndpointName = keyof typeof TABLE
export const ENDPOINTS: Readonly<Record<EndpointName, { readonly scope?: OAuthScope }>> = TABLE

/** The scope a call to `endpoint` needs, or undefined when any token serves. */
export function scopeOf(endpoint: EndpointName): OAuthScope | undefined {
  return ENDPOINTS[endpoint].scope
}
