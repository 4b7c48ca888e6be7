import type { InputField } from '@segment/actions-core'

/** The opt-in for Qualtrics' bulk import (import-transactions.ts): what it costs and what it guarantees. */
export const BULK_IMPORT_FIELD: InputField = {
  label: 'Bulk import (batches)',
  description:
    'Off by default. When on, a batch of Transaction Created events goes to Qualtrics as one contacts import per ' +
    'mailing list (up to 10,000 records and 5 MB each) instead of a lookup per new person and transaction ' +
    'requests: a few requests per 1,000 events in place of hundreds, against the import limit of 100 a minute. ' +
    'Costs: the batch waits for Qualtrics to finish its imports, about a minute at most in all; the directory must ' +
    'deduplicate contacts on an identifier (External Data Reference, email or phone; an event with none of the ' +
    'identifiers it deduplicates on is refused, and one lacking another field it deduplicates on is sent as ' +
    "without this option), and each matched contact is updated with the event's contact fields; every contact is added to " +
    'the mailing list; each import creates a transaction batch holding its transactions; results carry no contact ' +
    'or transaction id. Guarantees: a record Qualtrics refuses fails alone with its reason; an import Qualtrics ' +
    'has not finished within the wait is reported retryable, and since deduplication merges the resend into the ' +
    'same contacts, only the transactions of records already imported come twice (Record the message ID marks ' +
    'them). Events with a Contact ID, single events, and events dated more than 10 minutes from now (an import ' +
    'most likely dates its transactions when it runs, while the transactions call carries the date) are sent as ' +
    'without this option.',
  type: 'boolean',
  default: false
}
