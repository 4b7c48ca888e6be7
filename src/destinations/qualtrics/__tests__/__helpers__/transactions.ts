import type { JSONObject, SegmentEvent, StateContext, StatsContext } from '@segment/actions-core'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './qualtrics'
import type { TestDestination } from './instance'

export const DIR = `/API/v3/directories/${DIRECTORY}`
export const CONTACTS = `${DIR}/contacts`
export const TRANSACTIONS = `${DIR}/transactions`
/** A contact search's first page, at the page size the actions ask for. */
export const SEARCH = `${DIR}/contacts/search?pageSize=100`
/** Any contact search, whatever its page size. */
export const isSearch = (uri: string) => uri.startsWith(`${DIR}/contacts/search?`)

export type StatusNode = { status: number; errormessage?: string; body?: Record<string, unknown> }

/** The action's default mappings, which `executeBatch` (unlike testBatchAction) does not add by itself. */
const defaultMapping = (testDestination: TestDestination, slug: string): JSONObject =>
  Object.fromEntries(
    Object.entries(testDestination.definition.actions[slug].fields).flatMap(([key, field]) =>
      field.default === undefined ? [] : [[key, field.default]]
    )
  ) as JSONObject

export const purchase = (n: number, traits: Record<string, unknown>, userId = 'user-1'): Partial<SegmentEvent> => ({
  type: 'track',
  event: 'Transaction Created',
  userId,
  messageId: `msg-${n}`,
  timestamp: '2024-03-01T10:00:00.000Z',
  properties: { orderId: `o-${n}` },
  traits: undefined,
  context: { traits }
})

/** Runs one upsertContactTransaction batch and answers its status entries; batches may run at the same time. */
export async function transactionsBatch(
  testDestination: TestDestination,
  events: Partial<SegmentEvent>[],
  mapping: Record<string, unknown> = {},
  contexts: { stateContext?: StateContext; statsContext?: StatsContext } = {}
): Promise<StatusNode[]> {
  const nodes = await testDestination.executeBatch('upsertContactTransaction', {
    ...contexts,
    events: events as SegmentEvent[],
    settings,
    mapping: {
      ...defaultMapping(testDestination, 'upsertContactTransaction'),
      directoryId: DIRECTORY,
      mailingListId: MAILING_LIST,
      ...mapping
    } as JSONObject
  })
  return nodes as unknown as StatusNode[]
}

/** Searches the test allows, by filter, each answering no contact; a search not listed fails the test. */
export const searchesMissing = (filters: Array<[string, string]>) =>
  filters.map(([filterType, value]) =>
    qualtrics()
      .post(isSearch, { filter: { filterType, comparison: 'eq', value } })
      .reply(200, ok({ elements: [] }))
  )

/** Accepts every transaction of `times` requests, recording each request's contact ids. */
export function acceptTransactions(times = 1, seen: string[][] = []) {
  const scope = qualtrics()
    .post(TRANSACTIONS)
    .times(times)
    .reply(200, (_uri, body) => {
      const entries = body as Record<string, { contactId: string }>
      seen.push(Object.values(entries).map((entry) => entry.contactId))
      return ok({ createdTransactions: Object.fromEntries(Object.keys(entries).map((k) => [k, { id: `T-${k}` }])) })
    })
  return scope
}

/**
 * Segment's state as one invocation sees it: reads answer what the invocation began with; what it sets is `written`,
 * which the next invocation begins with.
 */
export function runtimeState(startingWith: Map<string, string> = new Map()) {
  const written = new Map(startingWith)
  return {
    written,
    getRequestContext: jest.fn((key: string) => startingWith.get(key)),
    setResponseContext: jest.fn((key: string, value: string, _ttl: object) => void written.set(key, value))
  }
}

/** The statsContext shape monorepo tests mock; `tags` are the runtime's, which every metric must carry. */
export function statsMock() {
  return {
    statsClient: {
      incr: jest.fn(),
      histogram: jest.fn(),
      observe: jest.fn(),
      set: jest.fn(),
      _name: jest.fn(),
      _tags: jest.fn()
    },
    tags: ['env:test']
  }
}
