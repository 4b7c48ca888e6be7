import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { createTestEvent, createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import definition from '../../src/destinations/qualtrics'
import { startLocalServer } from '../../src/server/local-server'

/**
 * The bad-input corpus (bad-input.json): every case names the error it expects. Nothing is declared to nock for an
 * error case, so any request to Qualtrics would fail the test (test/setup.ts): invalid input sends nothing.
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

const testDestination = createTestIntegration(definition)
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
beforeEach(() => testDestination.responses.splice(0))

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

async function run(c: Case): Promise<{ status?: number; message: string }> {
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
  const settings = (c.settingsReplace ??
    withoutNulls({ ...SETTINGS, ...(expand(c.settings ?? {}) as object) })) as typeof SETTINGS
  if (c.kind === 'authenticate') {
    try {
      await testDestination.testAuthentication(settings)
      return { message: 'no error' }
    } catch (error) {
      return { status: (error as { status?: number }).status, message: (error as Error).message }
    }
  }
  const action = c.action as string
  const event = createTestEvent({
    ...BASE_EVENT[action],
    ...(expand(c.event ?? {}) as object)
  } as Partial<SegmentEvent>)
  try {
    await testDestination.testAction(action, {
      event,
      settings,
      mapping: withoutNulls({ ...BASE_MAPPING[action], ...(expand(c.mapping ?? {}) as object) }) as JSONObject,
      useDefaultMappings: true
    })
    return { status: 200, message: 'sent' }
  } catch (error) {
    return { status: (error as { status?: number }).status, message: (error as Error).message }
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
  })
})
