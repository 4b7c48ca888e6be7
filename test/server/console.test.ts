import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startLocalServer } from '../../src/server/local-server'
import { startSandboxRuntime } from '../../scripts/dev/screenshots'
import type { LocalRuntime } from '../../src/server/runtime'
import { CONSOLE_ASSETS } from '../../src/server/console/static'
import { DELIVERY_STATES } from '../../src/server/delivery-log'

// Serving the console: the page for browsers, the JSON route list for everyone else, the static files with their
// types and a strict CSP, and the sandbox proxy (present only in sandbox mode).
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

let real: { url: string; close: () => Promise<void> }
let runtime: LocalRuntime

beforeAll(async () => {
  real = await startLocalServer({ settings: { apiToken: 'real-token-0001', datacenter: 'iad1' } })
  runtime = await startSandboxRuntime()
})
afterAll(async () => {
  await real.close()
  await runtime.close()
})

describe('GET /', () => {
  test('a browser gets the page, with a CSP that allows only this server and no inline script', async () => {
    const response = await fetch(`${real.url}/`, { headers: HTML })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await response.text()
    expect(html).toContain('<script type="module" src="/console/app.js"></script>')
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/)
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/)
  })

  test.each([['*/*'], ['application/json'], [undefined]])(
    'accept %s still gets the JSON route list',
    async (accept) => {
      const response = await fetch(`${real.url}/`, { headers: accept ? { accept } : {} })
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
      const body = (await response.json()) as { routes: string[] }
      expect(body.routes).toContain('POST /events')
    }
  )

  test('the request guard still applies to the page', async () => {
    const response = await fetch(`${real.url}/`, { headers: { ...HTML, origin: 'https://evil.example' } })
    expect(response.status).toBe(403)
  })
})

describe('static files', () => {
  test.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['tester.js', 'text/javascript; charset=utf-8'],
    ['console.css', 'text/css; charset=utf-8'],
    ['tables.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
    ['index.html', 'text/html; charset=utf-8']
  ])('/console/%s is served as it is on disk, as %s, with the CSP', async (name, type) => {
    const response = await fetch(`${real.url}/console/${name}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    const onDisk = readFileSync(join(__dirname, '../../src/server/console', name), 'utf8')
    expect(await response.text()).toBe(onDisk)
  })

  test('every file the page and its modules load is one the server serves', () => {
    const folder = join(__dirname, '../../src/server/console')
    const loaded = CONSOLE_ASSETS.filter((name) => /\.(html|js)$/.test(name)).flatMap((name) =>
      [...readFileSync(join(folder, name), 'utf8').matchAll(/(?:from '\.\/|"\/console\/)([\w.-]+)/g)].map((m) => m[1])
    )
    expect(loaded.length).toBeGreaterThan(5)
    for (const name of loaded) expect(CONSOLE_ASSETS).toContain(name)
  })

  test.each(['/console/routes.ts', '/console/../package.json', '/console/%2e%2e/package.json', '/console/nope.js'])(
    '%s is not served',
    async (path) => {
      const response = await fetch(`${real.url}${path}`)
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    }
  )

  test('a POST to a file is refused', async () => {
    const response = await fetch(`${real.url}/console/app.js`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}'
    })
    expect(response.status).toBe(405)
  })

  test('the example events are offered to the tester', async () => {
    const body = (await (await fetch(`${real.url}/console/api/examples`)).json()) as {
      examples: Record<string, unknown>
    }
    expect(Object.keys(body.examples)).toEqual(['identify', 'transaction-created', 'survey-completed'])
  })
})

describe('sandbox proxy', () => {
  const sandboxFaults = async () => (await fetch(`${runtime.sandbox!.url}/__sandbox/faults`)).json()

  test.each(['state', 'stats', 'faults'])(
    'GET /console/api/sandbox/%s answers 404 "no sandbox" in real mode',
    async (name) => {
      const response = await fetch(`${real.url}/console/api/sandbox/${name}`)
      expect(response.status).toBe(404)
      expect(((await response.json()) as { error: string }).error).toMatch(/no sandbox/i)
    }
  )

  test('state and stats come from the runtime sandbox, stats with its limits', async () => {
    const state = (await (await fetch(`${runtime.url}/console/api/sandbox/state`)).json()) as { directories: unknown[] }
    expect(state).toEqual(runtime.sandbox!.store.snapshot())
    const stats = (await (await fetch(`${runtime.url}/console/api/sandbox/stats`)).json()) as Record<string, unknown>
    expect(stats).toMatchObject({ requests: 0, limits: { brandPerMinute: 3000 }, clock: { timeScale: 1 } })
  })

  test('PUT faults changes the sandbox faults; a non-JSON PUT is refused', async () => {
    const put = (body: string, contentType: string) =>
      fetch(`${runtime.url}/console/api/sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': contentType },
        body
      })
    const answer = await put(JSON.stringify({ latencyMs: 7, rates: { '*': { status503: 0.5 } } }), 'application/json')
    expect(answer.status).toBe(200)
    expect(await sandboxFaults()).toMatchObject({ latencyMs: 7, rates: { '*': { status503: 0.5 } } })
    expect((await put('{"latencyMs": 9}', 'text/plain')).status).toBe(415)
    expect(await sandboxFaults()).toMatchObject({ latencyMs: 7 })
    expect((await put('{}', 'application/json')).status).toBe(200)
    expect(await sandboxFaults()).toEqual({})
  })

  test('an unknown sandbox route is a 404; state takes only GET', async () => {
    expect((await fetch(`${runtime.url}/console/api/sandbox/nothing`)).status).toBe(404)
    const put = await fetch(`${runtime.url}/console/api/sandbox/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}'
    })
    expect(put.status).toBe(405)
  })
})

describe('the delivery filter', () => {
  /** The values the page's Status filter offers, read from the shipped page so that this test follows any change. */
  function offeredStatusValues(): string[] {
    const html = readFileSync(join(__dirname, '../../src/server/console/index.html'), 'utf8')
    const select = /<select id="deliveries-status">([\s\S]*?)<\/select>/.exec(html)
    if (!select) throw new Error('index.html has no <select id="deliveries-status">')
    return [...select[1].matchAll(/<option value="([^"]*)"/g)].map((m) => m[1])
  }

  test('offers all, and each state a delivery record can be in', () => {
    expect(offeredStatusValues()).toEqual(['', ...DELIVERY_STATES])
  })

  test.each(offeredStatusValues())(
    'the filter value "%s" is accepted by GET /console/api/deliveries',
    async (value) => {
      const response = await fetch(`${runtime.url}/console/api/deliveries${value ? `?status=${value}` : ''}`)
      expect(response.status).toBe(200)
      expect(Array.isArray(((await response.json()) as { deliveries: unknown[] }).deliveries)).toBe(true)
    }
  )
})

describe('GET /console/api/stats', () => {
  test('adds the events each path brought in, from the counter tagged with the path', async () => {
    const identify = readFileSync(join(__dirname, '../../examples/identify.json'), 'utf8')
    const post = (path: string) =>
      fetch(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: identify
      })
    expect((await post('/events')).status).toBe(200)
    expect((await post('/events')).status).toBe(200)
    expect((await post('/v1/identify')).status).toBe(200)
    const body = (await (await fetch(`${runtime.url}/console/api/stats`)).json()) as {
      received: { path: string; events: number }[]
      receivedCounter: string
      counters: { name: string }[]
    }
    expect(body.received).toEqual([
      { path: '/events', events: 2 },
      { path: '/v1/identify', events: 1 }
    ])
    expect(body.receivedCounter).toBe('local.events_received')
    expect(body.counters.some((c) => c.name === 'qualtrics.request')).toBe(true)
  })
})
