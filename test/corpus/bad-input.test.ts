import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { createTestEvent, ErrorCodes, getErrorCodeFromHttpStatus } from '@segment/actions-core'
import type { ActionDefinition, JSONObject, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import type { Settings } from '../../src/destinations/qualtrics/generated-types'
import { startLocalServer } from '../../src/server/local-server'
import { instanceForEachTest } from '../../src/destinations/qualtrics/__tests__/__helpers__/instance'

/**
 * The bad-input corpus (bad-input.json): every case names the error it expects. Nothing is declared to nock for an
 * error case, so any request to Qualtrics would fail the test (test/setup.ts): invalid input sends nothing.
 *
 * Every action case also runs through the batch path (performBatch), in a batch of [the case's event, a valid
 * neighbour]: see 'bad-input corpus, batch path' below.
 */
interface Case {
  name: string
  kind: 'action' | 'authenticate' | 'server'
  action?: string
  settings?: Record<string, unknown>
  settingsReplace?: Record<string, unknown>
  mapping?: Record<string, unknown>
  event?: Record<string, unknown>
  server?: 'bare'
  method?: string
  path?: string
  body?: unknown
  expect: { status?: number; message?: string; sent?: boolean }
}

const corpus = JSON.parse(readFileSync(join(__dirname, 'bad-input.json'), 'utf8')) as { cases: Case[] }
const TOKEN = 'corpus-SECRET-token-5f1e'
/** The OAuth client secret some settings cases carry: like the token, it must never be in an error. */
const CLIENT_SECRET = 'corpus-client-SECRET-9d2a'
const SETTINGS = { apiToken: TOKEN, datacenter: 'iad1' }
const WORKFLOW_URL = 'https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=corpus'
const BASE_MAPPING: Record<string, Record<string, unknown>> = {
  upsertContact: { directoryId: 'POOL_corpus' },
  upsertContactTransaction: { directoryId: 'POOL_corpus', mailingListId: 'CG_corpus' },
  triggerXflow: { workflowUrl: WORKFLOW_URL }
}
const BASE_EVENT: Record<string, Partial<SegmentEvent>> = {
  upsertContact: { type: 'identify', userId: 'user-1', traits: { email: 'ada@example.com' } },
  upsertContactTransaction: {
    type: 'track',
    event: 'Transaction Created',
    userId: 'user-1',
    properties: { total: 1 },
    traits: undefined
  },
  triggerXflow: { type: 'track', event: 'Survey Completed', userId: 'user-1' }
}

/** Expands the corpus' value generators into the large or odd values they describe. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand)
  if (!value || typeof value !== 'object') return value
  const v = value as Record<string, unknown>
  if ('$repeat' in v) return String(v.$repeat).repeat(Number(v.times))
  if ('$deep' in v) {
    let nested: unknown = 'bottom'
    for (let i = 0; i < Number(v.$deep); i++) nested = { level: nested }
    return nested
  }
  if ('$range' in v) return Array.from({ length: Number(v.$range) }, (_, i) => i)
  if ('$manyKeys' in v) return Object.fromEntries(Array.from({ length: Number(v.$manyKeys) }, (_, i) => [`key${i}`, i]))
  if ('$keyOfLength' in v) return { ['k'.repeat(Number(v.$keyOfLength))]: expand(v.value) }
  if ('$number' in v) return Number(v.$number)
  return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, expand(inner)]))
}

function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
}

/** The case's settings: the working settings with its overrides (null removes one), or its replacement. */
function settingsFor(c: Case): typeof SETTINGS {
  return (c.settingsReplace ??
    withoutNulls({ ...SETTINGS, ...(expand(c.settings ?? {}) as object) })) as typeof SETTINGS
}

/** The case's mapping: the action's working mapping with its overrides (null removes one). */
function mappingFor(c: Case, extra: Record<string, unknown> = {}): JSONObject {
  const action = c.action as string
  return withoutNulls({ ...BASE_MAPPING[action], ...(expand(c.mapping ?? {}) as object), ...extra }) as JSONObject
}

/** The case's event: the action's working event with its overrides. */
function eventFor(c: Case): SegmentEvent {
  const action = c.action as string
  return createTestEvent({ ...BASE_EVENT[action], ...(expand(c.event ?? {}) as object) } as Partial<SegmentEvent>)
}

// Each case looks its contact up afresh, with an instance of its own: a contact remembered from an earlier case would
// skip its search.
const instance = instanceForEachTest()
let server: Awaited<ReturnType<typeof startLocalServer>>
let bareServer: Awaited<ReturnType<typeof startLocalServer>>

beforeAll(async () => {
  server = await startLocalServer({ settings: SETTINGS, mappingDefaults: BASE_MAPPING.upsertContactTransaction })
  bareServer = await startLocalServer({})
})
afterAll(async () => {
  await server.close()
  await bareServer.close()
})

function callServer(url: string, c: Case): Promise<{ status: number; text: string }> {
  const body = typeof c.body === 'string' ? c.body : c.body === undefined ? undefined : String(expand(c.body))
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${c.path}`,
      { method: c.method, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      }
    )
    req.on('error', (error) =>
      c.expect.status === 413 ? resolve({ status: 413, text: error.message }) : reject(error)
    )
    req.end(body)
  })
}

/** Declares a Qualtrics that accepts anything, for the unusual-but-valid cases that must be delivered. */
function acceptEverything(): nock.Scope {
  return nock('https://iad1.qualtrics.com')
    .persist()
    .post(/.*/)
    .reply(200, (uri, body) =>
      uri.includes('/transactions')
        ? {
            result: {
              createdTransactions: Object.fromEntries(Object.keys(body as object).map((k) => [k, { id: 'T' }]))
            }
          }
        : uri.includes('/contacts/search')
          ? { result: { elements: [{ id: 'CID_1' }] } }
          : { result: { id: 'CID_1' } }
    )
}

async function run(c: Case): Promise<{ status?: number; message: string; code?: string }> {
  if (c.kind === 'server') {
    const { status, text } = await callServer(c.server === 'bare' ? bareServer.url : server.url, c)
    let message = text
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text
    } catch {
      // not JSON (a connection closed over the body limit): keep the text
    }
    return { status, message }
  }
  const settings = settingsFor(c)
  if (c.kind === 'authenticate') {
    try {
      await instance.testDestination.testAuthentication(settings)
      return { message: 'no error' }
    } catch (error) {
      return { status: (error as { status?: number }).status, message: (error as Error).message }
    }
  }
  try {
    await instance.testDestination.testAction(c.action as string, {
      event: eventFor(c),
      settings,
      mapping: mappingFor(c),
      useDefaultMappings: true
    })
    return { status: 200, message: 'sent' }
  } catch (error) {
    const { status, code } = error as { status?: number; code?: string }
    return { status, message: (error as Error).message, code }
  }
}

describe('bad-input corpus', () => {
  it('has at least 150 error cases', () => {
    expect(corpus.cases.filter((c) => !c.expect.sent).length).toBeGreaterThanOrEqual(150)
  })

  it.each(corpus.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const scope = c.expect.sent ? acceptEverything() : undefined
    const result = await run(c)
    if (c.expect.sent) {
      expect(result).toEqual({ status: 200, message: 'sent' })
      expect(scope?.isDone()).toBe(true)
      return
    }
    expect(result.message).toMatch(new RegExp(c.expect.message as string))
    if (c.expect.status !== undefined) expect(result.status).toBe(c.expect.status)
    expect(result.message).not.toContain(TOKEN)
    expect(result.message).not.toContain(CLIENT_SECRET)
  })
})

/*
 * The batch path. Each action case runs again through performBatch (testBatchAction, enable_batching on), in a batch
 * of [the case's event, a valid neighbour]; the answer must have exactly one entry per event, in order.
 *
 * Bad input in the settings or in the mapping applies to every event of the batch, so every entry must fail with the
 * case's error and nothing be sent (no request is declared). Bad input in the event fails that event alone: its entry
 * carries the case's error, nothing is sent for it, and the neighbour still goes out (its requests are declared with
 * the exact bodies it alone produces, so a request that also carried the bad event would not match).
 *
 * actions-core validates each payload against the action's fields before performBatch: an event that fails the
 * schema is dropped there, and actions-core itself reports it as
 *   { status: 400, errortype: 'PAYLOAD_VALIDATION_FAILED', errormessage: <the schema error>, errorreporter: 'INTEGRATIONS' }
 * (the single-event path throws the same schema error without a status). performBatch is spied on to tell which
 * payloads reached it, so each entry is held to the shape of whoever answered for it. Where a case names no status,
 * the batch entry must be 400: bad input is never retryable.
 */
const batchCases = corpus.cases.filter((c) => c.kind === 'action')

/** Settings and mapping apply to the whole batch; the corpus' mappings are literal values (checked below). */
const isBatchWide = (c: Case): boolean =>
  c.settings !== undefined || c.settingsReplace !== undefined || c.mapping !== undefined

const NEIGHBOUR_ID = 'neighbour-1'
const NEIGHBOUR_MESSAGE_ID = 'neighbour-msg'
const NEIGHBOUR_TIMESTAMP = '2024-03-01T10:00:00.000Z'
const NEIGHBOUR_EVENT: Record<string, Partial<SegmentEvent>> = {
  upsertContact: {
    ...BASE_EVENT.upsertContact,
    userId: NEIGHBOUR_ID,
    messageId: NEIGHBOUR_MESSAGE_ID,
    traits: { email: 'grace@example.com' }
  },
  upsertContactTransaction: {
    ...BASE_EVENT.upsertContactTransaction,
    userId: NEIGHBOUR_ID,
    messageId: NEIGHBOUR_MESSAGE_ID,
    timestamp: NEIGHBOUR_TIMESTAMP,
    properties: { total: 2 }
  },
  triggerXflow: {
    ...BASE_EVENT.triggerXflow,
    userId: NEIGHBOUR_ID,
    messageId: NEIGHBOUR_MESSAGE_ID,
    timestamp: NEIGHBOUR_TIMESTAMP
  }
}

const API = 'https://iad1.qualtrics.com'
const DIRECTORY_PATH = '/API/v3/directories/POOL_corpus'
const WORKFLOW_PATH = `${new URL(WORKFLOW_URL).pathname}${new URL(WORKFLOW_URL).search}`

/** Declares exactly the requests the neighbour makes, and returns what its multistatus entry must carry back. */
function expectNeighbour(action: string): { scope: nock.Scope; body: Record<string, unknown> } {
  const qualtrics = nock(API, { reqheaders: { 'x-api-token': TOKEN } })
  if (action === 'upsertContact') {
    qualtrics
      .post(`${DIRECTORY_PATH}/contacts`, { extRef: NEIGHBOUR_ID, email: 'grace@example.com' })
      .reply(200, { result: { id: 'CID_neighbour' } })
    return { scope: qualtrics, body: { contactId: 'CID_neighbour', directoryId: 'POOL_corpus' } }
  }
  if (action === 'upsertContactTransaction') {
    qualtrics
      .post(`${DIRECTORY_PATH}/contacts/search?pageSize=100`, {
        filter: { filterType: 'extRef', comparison: 'eq', value: NEIGHBOUR_ID }
      })
      .reply(200, { result: { elements: [{ id: 'CID_neighbour' }] } })
      .post(`${DIRECTORY_PATH}/transactions`, {
        [NEIGHBOUR_MESSAGE_ID]: {
          mailingListId: 'CG_corpus',
          transactionDate: '2024-03-01 10:00:00',
          data: { total: 2, segmentMessageId: NEIGHBOUR_MESSAGE_ID },
          contactId: 'CID_neighbour'
        }
      })
      .reply(200, { result: { createdTransactions: { [NEIGHBOUR_MESSAGE_ID]: { id: 'CTR_neighbour' } } } })
    return { scope: qualtrics, body: { transactionId: 'CTR_neighbour', contactId: 'CID_neighbour', contact: 'extRef' } }
  }
  qualtrics
    .post(WORKFLOW_PATH, {
      event: 'Survey Completed',
      type: 'track',
      userId: NEIGHBOUR_ID,
      anonymousId: 'anonId1234',
      properties: {},
      traits: {},
      timestamp: NEIGHBOUR_TIMESTAMP,
      messageId: NEIGHBOUR_MESSAGE_ID
    })
    .reply(200, { ok: true })
  return { scope: qualtrics, body: { workflowResponse: { ok: true } } }
}

type Entry = {
  status: number
  errortype?: string
  errormessage?: string
  errorreporter?: string
  sent?: unknown
  body?: unknown
}

/**
 * The entry a bad event must get: from actions-core if its payload was dropped before performBatch, else from
 * performBatch, whose errortype must be the code the single-event path's error carries (PAYLOAD_VALIDATION_FAILED,
 * INVALID_AUTHENTICATION) where that is an actions-core code, and the status's code otherwise.
 */
function expectedError(c: Case, dropped: boolean, singleCode: string | undefined): Entry {
  const status = c.expect.status ?? 400
  const ownCode = singleCode !== undefined && singleCode in ErrorCodes ? singleCode : getErrorCodeFromHttpStatus(status)
  return {
    status,
    errortype: dropped ? 'PAYLOAD_VALIDATION_FAILED' : ownCode,
    errormessage: expect.stringMatching(new RegExp(c.expect.message as string)),
    errorreporter: 'INTEGRATIONS'
  }
}

describe('bad-input corpus, batch path', () => {
  let unmatched: string[] = []
  const onNoMatch = (request: { method?: string; hostname?: string; host?: string; path?: string }) =>
    unmatched.push(`${request.method} ${request.hostname ?? request.host}${request.path}`)
  beforeEach(() => {
    unmatched = []
    nock.emitter.on('no match', onNoMatch)
  })
  afterEach(() => {
    nock.emitter.removeListener('no match', onNoMatch)
    jest.restoreAllMocks()
  })

  it('runs every action case, and only those', () => {
    expect(batchCases.length).toBe(corpus.cases.filter((c) => c.kind !== 'authenticate' && c.kind !== 'server').length)
    expect(batchCases.filter((c) => !c.expect.sent && !isBatchWide(c)).length).toBeGreaterThan(0)
  })

  it('the corpus mappings are literal values, so a mapping case applies to the whole batch', () => {
    // A mapping that read from the event (@path, @if, …) could make a mapping case per-event instead.
    const reading = batchCases.filter((c) => c.mapping !== undefined && JSON.stringify(c.mapping).includes('"@'))
    expect(reading.map((c) => c.name)).toEqual([])
  })

  it.each(batchCases.map((c) => [c.name, c] as const))('%s (batch)', async (_name, c) => {
    const action = c.action as string
    const batchWide = isBatchWide(c)
    const everything = c.expect.sent ? acceptEverything() : undefined
    const neighbour = c.expect.sent || batchWide ? undefined : expectNeighbour(action)
    const performBatch = jest.spyOn(
      instance.testDestination.definition.actions[action] as Required<ActionDefinition<Settings, unknown>>,
      'performBatch'
    )

    await instance.testDestination.testBatchAction(action, {
      events: [eventFor(c), createTestEvent(NEIGHBOUR_EVENT[action])],
      settings: settingsFor(c),
      mapping: mappingFor(c, { enable_batching: true }),
      useDefaultMappings: true
    })
    const entries = (instance.testDestination.results[0] as unknown as { multistatus: Entry[] }).multistatus
    const reached = performBatch.mock.calls.flatMap(([, data]) => data.payload as unknown[])

    expect(entries).toHaveLength(2)
    expect(unmatched).toEqual([])
    for (const entry of entries) expect(JSON.stringify(entry)).not.toMatch(new RegExp(`${TOKEN}|${CLIENT_SECRET}`))

    if (c.expect.sent) {
      expect(reached).toHaveLength(2)
      expect(entries.map((e) => e.status)).toEqual([200, 200])
      expect(everything?.isDone()).toBe(true)
      return
    }
    const { code: singleCode } = await run(c)
    if (batchWide) {
      // Both payloads reach performBatch, or neither does (dropped by actions-core's schema validation).
      expect([0, 2]).toContain(reached.length)
      const expected = expectedError(c, reached.length === 0, singleCode)
      expect(entries).toEqual([expected, expected])
      return
    }
    // The neighbour always reaches performBatch; the bad event does unless actions-core dropped it.
    expect([1, 2]).toContain(reached.length)
    expect(JSON.stringify(reached[reached.length - 1])).toContain(NEIGHBOUR_ID)
    expect(entries[0]).toEqual(expectedError(c, reached.length === 1, singleCode))
    expect(entries[1]).toEqual({ status: 200, sent: expect.anything(), body: neighbour?.body })
    expect(neighbour?.scope.isDone()).toBe(true)
  })
})
