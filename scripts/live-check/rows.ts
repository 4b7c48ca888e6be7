/**
 * The rows of the live check's table, one per reading in issue 23 §2/§3 that a user can look at, once: what it is,
 * what the check needs to observe it, and what the destination does about it. A row the run could not observe says
 * "not observed" and why.
 */

/** What a row needs: a read-only run, --write, --write with --mailing-list, OAuth credentials, or nothing we may send. */
type Need = 'read' | 'write' | 'import' | 'oauth' | 'never'

interface RowSpec {
  item: string
  need: Need
  /** Why the check never sends what would show it (need 'never'). */
  never?: string
  destination: string
}

export const ROW_SPECS = {
  oauthScopes: {
    item: 'OAuth scopes',
    need: 'oauth',
    destination:
      'asks only for the scopes its calls need, retries with the smaller set after invalid_scope, and names a scope an action truly lacks'
  },
  whoami: {
    item: 'whoami / datacenter',
    need: 'read',
    destination:
      'Test connection calls whoami; an OAuth token whoami refuses (403) is checked with the directories listing instead'
  },
  eventSubscriptions: {
    item: 'Event subscriptions: who may create',
    need: 'never',
    never: 'creating a subscription changes the brand; the account type is shown in the whoami row',
    destination: 'npm run responses -- subscribe says a brand administrator is needed when Qualtrics refuses'
  },
  deduplicationFlags: {
    item: 'Deduplication flags (GET /directories)',
    need: 'read',
    destination: 'reads the five flags; with several, takes a path right under both readings (search, then create)'
  },
  deduplicationRules: {
    item: 'Several flags: one AND rule or OR’d rules',
    need: 'import',
    destination: 'never refuses an event one reading covers: search-then-create is right under both'
  },
  searchPaging: {
    item: 'Search paging',
    need: 'read',
    destination: 'follows a full nextPage URL or sends the skipToken back, whichever comes'
  },
  nextPageHost: {
    item: 'nextPage host',
    need: 'read',
    destination: 'follows a nextPage on another https *.qualtrics.com host under the API host rule; refuses any other'
  },
  searchFieldNames: {
    item: 'Search element field names',
    need: 'write',
    destination:
      'reads extRef/phone and externalDataReference/phoneNumber everywhere (deletion, cache, identity checks)'
  },
  searchCase: {
    item: 'Search case sensitivity',
    need: 'write',
    destination:
      'assumes search ignores case (§16) and checks each contact found (extRef exactly, email ignoring case); "exact" here means a search may miss a contact stored in another case'
  },
  contactUpdate: {
    item: 'PUT embeddedData: merge or replace',
    need: 'write',
    destination: 'a partial update (an audience exit) keeps the contact’s other embedded data under either reading'
  },
  importStatus: {
    item: 'Import status lists invalidEmails',
    need: 'import',
    destination: 'reads refused emails from the status answer; never calls the removed summary'
  },
  importSummary: {
    item: 'Import summary call (removed 30 June 2026)',
    need: 'import',
    destination: 'does not call it'
  },
  importDate: {
    item: 'Transaction date in imports',
    need: 'never',
    never: 'no Qualtrics call reads a transaction’s date back',
    destination: 'imports only events close to now; older ones go through the transactions call, which carries the date'
  },
  erasure: {
    item: 'Erasure without searchOnly',
    need: 'never',
    never: 'an erasure request acts on the whole brand by email, in the background',
    destination: 'always sends searchOnly: false, so both readings erase'
  },
  cleanup: {
    item: 'Test contact removed',
    need: 'write',
    destination: '(the live check’s own clean-up)'
  }
} satisfies Record<string, RowSpec>

export type RowKey = keyof typeof ROW_SPECS
export const ROW_KEYS = Object.keys(ROW_SPECS) as RowKey[]

export interface Row {
  key: RowKey
  item: string
  /** A short machine-readable reading ('extRef', 'skipToken', …), or 'not observed'. */
  reading: string
  /** What was seen, for a person. */
  observed: string
  destination: string
}

export const NOT_OBSERVED = 'not observed'

export interface RunShape {
  write: boolean
  mailingList: boolean
  oauth: boolean
  /** Set when a failure stopped the run before every step. */
  stopped: boolean
}

function whyNotObserved(spec: RowSpec, run: RunShape): string {
  if (spec.need === 'never') return spec.never ?? 'the check does not send what would show it'
  if (spec.need === 'oauth' && !run.oauth) return 'the API token was used, not an OAuth client'
  if ((spec.need === 'write' || spec.need === 'import') && !run.write) return 'read-only run (add --write)'
  if (spec.need === 'import' && !run.mailingList) return 'no import without --mailing-list'
  return run.stopped ? 'the run stopped before this step (see the error)' : 'nothing in the answers showed it'
}

/** The observations so far; `rows` fills in every row not observed with the reason. */
export class Findings {
  private readonly seen = new Map<RowKey, { reading: string; observed: string }>()

  set(key: RowKey, reading: string, observed: string): void {
    this.seen.set(key, { reading, observed })
  }

  has(key: RowKey): boolean {
    return this.seen.has(key)
  }

  rows(run: RunShape): Row[] {
    return ROW_KEYS.map((key) => {
      const spec: RowSpec = ROW_SPECS[key]
      const seen = this.seen.get(key)
      const observed = seen ?? { reading: NOT_OBSERVED, observed: `${NOT_OBSERVED}: ${whyNotObserved(spec, run)}` }
      return { key, item: spec.item, ...observed, destination: spec.destination }
    })
  }
}
