import { guardRequest } from '../../../src/server/http/request-guard'
import { startLocalRuntime } from '../../../src/server/runtime'
import type { LocalRuntime } from '../../../src/server/runtime'
import { signMessage } from '../../../src/sources/qualtrics-responses'
import { rawRequest } from '../../server/raw-http'
import { tempFolder } from '../../server/tracking/helpers'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const KEY = 'route-shared-key-0123456789'

describe('the request guard’s one exception', () => {
  const guard = (url: string, headers: Record<string, string>) =>
    guardRequest({ method: 'POST', url, headers: { host: '127.0.0.1:3000', ...headers } }, 3000).answer?.status

  it('lets a form-encoded POST through to /qualtrics/responses only', () => {
    expect(guard('/qualtrics/responses', FORM)).toBeUndefined()
    expect(guard('/qualtrics/responses/', FORM)).toBeUndefined()
    expect(
      guard('/qualtrics/responses?x=1', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })
    ).toBeUndefined()
    expect(guard('/events', FORM)).toBe(415)
    expect(guard('/v1/batch', FORM)).toBe(415)
    expect(guard('/qualtrics/responses/more', FORM)).toBe(415)
    expect(guard('/qualtrics/responses', { 'content-type': 'text/plain' })).toBe(415)
  })

  it('keeps the Host and Origin checks for it', () => {
    expect(guard('/qualtrics/responses', { ...FORM, host: 'tunnel.example.com' })).toBe(403)
    expect(guard('/qualtrics/responses', { ...FORM, origin: 'https://evil.example.com' })).toBe(403)
  })
})

describe('POST /qualtrics/responses in npm start', () => {
  let runtime: LocalRuntime | undefined
  let folders: Array<ReturnType<typeof tempFolder>> = []
  afterEach(async () => {
    await runtime?.close()
    runtime = undefined
    folders.forEach((f) => f.remove())
    folders = []
  })

  async function start(env: NodeJS.ProcessEnv) {
    folders = [tempFolder(), tempFolder()]
    runtime = await startLocalRuntime({
      config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
      tracking: { queueFolder: folders[0].folder },
      responses: { env, queueFolder: folders[1].folder }
    })
    return Number(new URL(runtime.url).port)
  }

  it('is off, and says how to turn it on, without QUALTRICS_SUBSCRIPTION_KEY', async () => {
    const port = await start({})
    const answer = await rawRequest(port, 'POST', '/qualtrics/responses', { host: `127.0.0.1:${port}`, ...FORM }, 'a=b')
    expect(answer.status).toBe(404)
    expect(JSON.parse(answer.text).error).toMatch(/QUALTRICS_SUBSCRIPTION_KEY and SEGMENT_WRITE_KEY/)
    expect(runtime!.responses).toBeUndefined()
    const console = (await (await fetch(`${runtime!.url}/console/api/responses`)).json()) as Record<string, unknown>
    expect(console).toMatchObject({ enabled: false, hint: expect.stringMatching(/is off/), callbacks: [] })
  })

  it('refuses to start with a shared key but no write key', async () => {
    await expect(start({ QUALTRICS_SUBSCRIPTION_KEY: KEY })).rejects.toThrow(/SEGMENT_WRITE_KEY is not set/)
  })

  it('answers callbacks, and shows each outcome at GET /console/api/responses', async () => {
    const port = await start({ QUALTRICS_SUBSCRIPTION_KEY: KEY, SEGMENT_WRITE_KEY: 'route-write-key-0123' })
    const host = { host: `127.0.0.1:${port}` }
    const unsigned = await rawRequest(port, 'POST', '/qualtrics/responses', { ...host, ...FORM }, 'Topic=t&MSG=%7B%7D')
    expect(unsigned.status).toBe(401)
    // Qualtrics requires a subscription URL to answer GET as well: 200, and nothing is recorded.
    const probe = await rawRequest(port, 'GET', '/qualtrics/responses', host)
    expect(probe.status).toBe(200)
    const msg = JSON.stringify({ SurveyID: 'SV_sandboxNps0001', ResponseID: 'R_unknown000001' })
    const body = new URLSearchParams({
      Topic: 'sandbox-brand.surveyengine.completedResponse.SV_sandboxNps0001',
      MSG: msg,
      HMAC: signMessage(KEY, msg)
    }).toString()
    const gone = await rawRequest(port, 'POST', '/qualtrics/responses', { ...host, ...FORM }, body)
    expect(gone.status).toBe(200)
    expect(JSON.parse(gone.text)).toMatchObject({ ok: false, outcome: 'response-gone' })

    const listed = await fetch(`${runtime!.url}/console/api/responses`)
    const { callbacks, calls } = (await listed.json()) as {
      callbacks: { outcome: string; status: number }[]
      calls: []
    }
    expect(callbacks.map((c) => [c.outcome, c.status])).toEqual([
      ['response-gone', 200],
      ['bad-signature', 401]
    ])
    expect(calls).toEqual([])
    const routes = (await (await fetch(`${runtime!.url}/`)).json()) as { routes: string[] }
    expect(routes.routes).toEqual(
      expect.arrayContaining(['POST /qualtrics/responses', 'GET /qualtrics/responses', 'GET /console/api/responses'])
    )
    expect(runtime!.summary.join('\n')).toMatch(
      /Qualtrics responses: POST \/qualtrics\/responses → Segment at https:\/\/api.segment.io/
    )
  })
})
