// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * Directory id. Also known as the Pool ID. POOL_XXX
   */
  directoryId: string
  /**
   * ID of the mailing list the contact belongs too. If not part of the event payload, create / use an existing mailing list from Qualtrics. Will have the form CG_xxx
   */
  mailingListId: string
  /**
   * The id of the contact to add the transaction. if this field is not supplied, you must supply an external data reference, email and/or phone so a look can be performed. If the lookup does not find a contact, one will be created with these fields and including the optionally supplied firstName, lastName, language, subscribed and embeddedData
   */
  contactId?: string
  /**
   * The external data reference which is a unique identifier for the user. This is only used to search for the contact and if a new contact needs to be created, it is not added to the transaction data.
   */
  extRef: string
  /**
   * Email of contact. This is only used to search for the contact and if a new contact needs to be created, it is not added to the transaction data.
   */
  email?: string
  /**
   * Phone number of contact. This is only used to search for the contact and if a new contact needs to be created, it is not added to the transaction data.
   */
  phone?: string
  /**
   * First name of contact. This is only used if a new contact needs to be created and is not added to the transaction data.
   */
  firstName?: string
  /**
   * Last name of contact. This is only used if a new contact needs to be created and is not added to the transaction data.
   */
  lastName?: string
  /**
   * Language code of the contact. This is only used if a new contact needs to be created and is not added to the transaction data.
   */
  language?: string
  /**
   * Should the contact be unsubscribed from correspondence. This is only used if a new contact needs to be created and is not added to the transaction.
   */
  unsubscribed?: boolean
  /**
   * Contact embedded data (properties of the contact). These are added to the contact only if a new contact needs to be created not added to the transaction.
   */
  embeddedData?: {
    [k: string]: unknown
  }
  /**
   * Without a Contact ID, the directory is searched by these identifiers one at a time, in this order: the first that matches is used (see "When several contacts match"), and no match on any creates the contact. A contact whose External Data Reference differs from the event's, even only in case, is another person and never matches. Identifiers the event has no value for are skipped. In a batch, events that share an External Data Reference, email (ignoring case) or phone number are one person, looked up once, unless their External Data References differ. A contact created or found in the last hour (by this process, or as the runtime's shared state remembers) is used without searching again.
   */
  matchContactBy?: string[]
  /**
   * What to do when an identifier matches several contacts (duplicates made elsewhere). "Use the oldest" (default) adds the transaction to the contact created first among those that can be this person (never one with another External Data Reference) and names the others in the result; "Fail" reports the event as a final error (409), as before.
   */
  multipleMatches?: string
  /**
   * "Search" (default) finds the contact as described under "Match contacts by" and creates it only when none matches; contact fields are used only for a new contact. "Directory deduplication" sends one create request and lets the directory's deduplication settings match an existing contact, which then is updated with the event's contact fields: half the requests for new contacts. It is used only when the directory deduplicates on fields the event has; otherwise the action searches. In either mode, a contact created or found in the last hour (by this process or, through the runtime's shared state, another) is used without a request (so its fields are not updated again).
   */
  contactLookup?: string
  /**
   * Date and time of when the transaction occurred. Sent to Qualtrics in UTC.
   */
  transactionDate?: string | number
  /**
   * Properties of the transaction too add to the users record. Strings, numbers and booleans are sent as they are; a nested object or array is sent as JSON text under its own key.
   */
  transactionData?: {
    [k: string]: unknown
  }
  /**
   * Keys the transaction in the request to Qualtrics, so each result maps back to its event and a retried event keeps its key. Leave it as the event messageId. Not required, so that mappings saved before it existed keep working: without it the transaction is keyed by its place in the request and no message ID is recorded.
   */
  messageId?: string
  /**
   * Adds the transaction key (the event messageId) to the transaction data as "segmentMessageId". A request that times out may still have been stored by Qualtrics, and Segment then sends the event again: with this on, such a duplicate can be recognised in Qualtrics.
   */
  recordMessageId?: boolean
  /**
   * Off by default. When on, a batch of Transaction Created events goes to Qualtrics as one contacts import per mailing list (up to 10,000 records and 5 MB each) instead of a lookup per new person and transaction requests: a few requests per 1,000 events in place of hundreds, against the import limit of 100 a minute. Costs: the batch waits for Qualtrics to finish its imports, about a minute at most in all; the directory must deduplicate contacts on an identifier (External Data Reference, email or phone; an event with none of the identifiers it deduplicates on is refused, and one lacking another field it deduplicates on is sent as without this option), and each matched contact is updated with the event's contact fields; every contact is added to the mailing list; each import creates a transaction batch holding its transactions; results carry no contact or transaction id. Guarantees: a record Qualtrics refuses fails alone with its reason; an import Qualtrics has not finished within the wait is reported retryable, and since deduplication merges the resend into the same contacts, only the transactions of records already imported come twice (Record the message ID marks them). Events with a Contact ID, single events, and events dated more than 10 minutes from now (an import most likely dates its transactions when it runs, while the transactions call carries the date) are sent as without this option.
   */
  bulkImport?: boolean
  /**
   * When enabled, Segment sends events in batches: contacts are resolved once per batch, transactions go out many to a request, and each event still gets its own result.
   */
  enable_batching?: boolean
  /**
   * The most events in one batch (default 1000, at most 1000).
   */
  batch_size?: number
}
