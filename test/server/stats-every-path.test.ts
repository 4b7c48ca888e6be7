import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { signMessage } from '../../src/sources/qualtrics-responses'
import { tempFolder, until } from './tracking/helpers'

// One server context for every way in: what the destination counts while delivering an event, and the events each
// path received, land in the same GET /console/api/stats, whichever path the event came by.
const KEY = 'stats-shared-key-0123456789'
const WRITE_KEY = 'stats-write-key-0123'

let runtime: LocalRuntime
const folders = [tempFolder(), tempFolder()]

beforeAll(async () => {
  runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    tracking: { queueFolder: folders[0].folder },
    responses: {
      env: { QUALTRICS_SUBSCRIPTION_KEY: KEY, SEGMENT_WRITE_KEY: WRITE_KEY },
      queueFolder: folders[1].folder
    }
  })
})
afterAll(async () => {
  await runtime.close()
  folders.forEach((f) => f.remove())
})

const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${runtime.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body })

interface Counter {
  name: string
  tags: string[]
  value: number
}
const stats = async () => (await (await fetch(`${runtime.url}/console/api/stats`)).json()) as { counters: Counter[] }
const valueOf = (counters: Counter[], name: string, tag: string) =>
  counters.filter((c) => c.name === name && c.tags.includes(tag)).reduce((sum, c) => sum + c.value, 0)

describe('GET /console/api/stats, whichever path an event came in by', () => {
  it('counts events from POST /events, the tracking API and POST /qualtrics/responses alike', async () => {
    const identify = { type: 'identify', userId: 'stats-1', traits: { email: 'stats.one@example.com' } }
    expect((await post('/events', JSON.stringify({ ...identify, messageId: 'stats-events-1' }))).status).toBe(200)

    const track = {
      type: 'track',
      event: 'Transaction Created',
      userId: 'stats-2',
      messageId: 'stats-v1-1',
      context: { traits: { email: 'stats.two@example.com' } },
      properties: { total: 5 }
    }
    expect((await post('/v1/track', JSON.stringify(track))).status).toBe(200)
    expect((await post('/v1/identify', JSON.stringify({ ...identify, messageId: 'stats-v1-2' }))).status).toBe(200)
    await until(async () => {
      const { deliveries } = (await (await fetch(`${runtime.url}/console/api/deliveries?status=ok`)).json()) as {
        deliveries: { messageId: string }[]
      }
      return ['stats-v1-1', 'stats-v1-2'].every((id) => deliveries.some((d) => d.messageId === id))
    })

    const msg = JSON.stringify({ SurveyID: 'SV_sandboxNps0001', ResponseID: 'R_statsUnknown01' })
    const form = new URLSearchParams({
      Topic: 'sandbox-brand.surveyengine.completedResponse.SV_sandboxNps0001',
      MSG: msg,
      HMAC: signMessage(KEY, msg)
    }).toString()
    expect((await post('/qualtrics/responses', form, 'application/x-www-form-urlencoded')).status).toBe(200)

    const { counters } = await stats()
    expect(valueOf(counters, 'local.events_received', 'path:/events')).toBe(1)
    expect(valueOf(counters, 'local.events_received', 'path:/v1/track')).toBe(1)
    expect(valueOf(counters, 'local.events_received', 'path:/v1/identify')).toBe(1)
    expect(valueOf(counters, 'local.events_received', 'path:/qualtrics/responses')).toBe(1)
    // What the destination counted while delivering the tracking API's events is there too: only /v1/track
    // carried a transaction.
    const transactionRequests = counters.filter(
      (c) => c.name === 'qualtrics.request' && c.tags.some((tag) => /^endpoint:transaction/.test(tag))
    )
    expect(transactionRequests.map((c) => c.value).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1)
  })
})
