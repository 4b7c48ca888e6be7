import { createServer } from 'node:http'
import { build } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { findChromium, launchChromium } from '../../scripts/dev/browser'
import { listenOnLoopback } from '../../src/server/http/listener'
import { loadLocalConfig } from '../../src/server/config'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { tempFolder, until } from './tracking/helpers'

// Segment's browser library (@segment/analytics-next, from npm, bundled here with esbuild) in Chromium, on a page
// served from 127.0.0.1, configured as README "Point a Segment SDK at it" says: settings given (`cdnSettings`), so it
// never asks Segment's CDN; every request that would leave 127.0.0.1 is stopped and recorded. A page on an origin
// listed in LOCAL_SDK_ORIGINS gets its identify and track into the sandbox; a page on another origin gets nothing
// through. test/server/browser-sdk-routes.test.ts checks the same rules request by request.
jest.setTimeout(120_000)

const chromium = findChromium()
if (chromium.kind === 'none') process.stderr.write(`Skipping the browser SDK test. ${chromium.reason}\n`)
const browserTest = chromium.kind === 'none' ? test.skip : test

const WRITE_KEY = 'browser-sdk-write-key'
/** A bound on how long a poll may look (60 s of 10 ms looks), not a timing the test asserts. */
const LOOKS = 6000

// The page's own code: loads the library as an app would and sends one identify and one Transaction Created track.
// The library puts no `traits` on a track call, so the email travels in context.traits.
const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>browser SDK page</title><script src="/analytics.js"></script>
<script>
function send({ writeKey, apiHost, userId, email, batching }) {
  const segment = { apiKey: writeKey, apiHost, protocol: 'http' }
  if (batching) segment.deliveryStrategy = { strategy: 'batching', config: { size: 2, timeout: 100 } }
  const analytics = AnalyticsBrowser.load({
    writeKey,
    cdnSettings: { integrations: { 'Segment.io': segment }, metrics: { sampleRate: 0 } }
  })
  analytics.identify(userId, { email, firstName: 'Ada' })
  analytics.track('Transaction Created', { orderId: userId + '-order', total: 42 }, { context: { traits: { email } } })
}
</script></head><body>page</body></html>`

let bundle: string
let runtime: LocalRuntime
let browser: Browser
const pages: Array<{ url: string; close: () => Promise<void> }> = []
const queue = tempFolder()
const leftLoopback: string[] = []

/** Serves the page and the bundled library, on a port of its own: an origin of its own. */
async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const script = req.url === '/analytics.js'
    res.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' })
    res.end(script ? bundle : PAGE_HTML)
  })
  const page = await listenOnLoopback(server)
  pages.push(page)
  return page
}

beforeAll(async () => {
  if (chromium.kind === 'none') return
  const built = await build({
    stdin: {
      contents:
        "import { AnalyticsBrowser } from '@segment/analytics-next'\nwindow.AnalyticsBrowser = AnalyticsBrowser",
      resolveDir: __dirname,
      loader: 'js'
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent'
  })
  bundle = built.outputFiles[0].text
  browser = await launchChromium(chromium)
})
afterAll(async () => {
  await browser?.close()
  await runtime?.close()
  await Promise.all(pages.map((page) => page.close()))
  queue.remove()
})

/** A fresh browser profile on `origin`'s page; requests that would leave 127.0.0.1 are stopped and recorded. */
async function openPage(origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if (url.hostname === '127.0.0.1') return route.continue()
    leftLoopback.push(url.href)
    return route.abort()
  })
  const page = await context.newPage()
  await page.goto(`${origin}/`)
  return { context, page }
}

const directory = () => runtime.sandbox!.store.snapshot().directories[0]
const ordersOf = (userId: string) => directory().transactions.filter((t) => t.data.orderId === `${userId}-order`)
const apiHost = () => `${new URL(runtime.url).host}/v1`

browserTest(
  'a page on a listed origin gets identify and track into the sandbox, one call or a batch a request',
  async () => {
    const allowed = await servePage()
    runtime = await startLocalRuntime({
      config: loadLocalConfig({ PORT: '0', SANDBOX_PORT: '0', LOCAL_SDK_ORIGINS: allowed.url }),
      tracking: { queueFolder: queue.folder, writeKey: WRITE_KEY }
    })
    const { context, page } = await openPage(allowed.url)
    const answered: string[] = []
    page.on('response', (response) => {
      const url = new URL(response.url())
      if (url.pathname.startsWith('/v1/'))
        answered.push(`${response.request().method()} ${url.pathname} ${response.status()}`)
    })

    const people = [
      { userId: 'browser-ada', email: 'ada.browser@example.com', batching: false },
      { userId: 'browser-bea', email: 'bea.browser@example.com', batching: true }
    ]
    for (const person of people) {
      await page.evaluate(`send(${JSON.stringify({ writeKey: WRITE_KEY, apiHost: apiHost(), ...person })})`)
      await until(() => ordersOf(person.userId).length > 0, LOOKS)
    }
    await context.close()

    for (const { userId, email } of people) {
      const contacts = directory().contacts.filter((c) => c.extRef === userId)
      expect(contacts).toEqual([expect.objectContaining({ email, firstName: 'Ada' })])
      expect(ordersOf(userId)).toEqual([expect.objectContaining({ contactId: contacts[0].id })])
    }
    // One call a request (/v1/i, /v1/t), then the batching mode's one request (/v1/b); no preflight was refused.
    expect(answered).toEqual(expect.arrayContaining(['POST /v1/i 200', 'POST /v1/t 200', 'POST /v1/b 200']))
    expect(answered.filter((line) => !line.endsWith(' 200'))).toEqual([])
    const logged = runtime.deliveryLog.list()
    expect(logged.map((r) => [r.source, r.type, r.state]).sort()).toEqual([
      ['sdk', 'identify', 'delivered'],
      ['sdk', 'identify', 'delivered'],
      ['sdk', 'track', 'delivered'],
      ['sdk', 'track', 'delivered']
    ])
    expect(leftLoopback).toEqual([])
  }
)

browserTest('a page on an origin not listed gets nothing through', async () => {
  const foreign = await servePage()
  const { context, page } = await openPage(foreign.url)
  const failed: string[] = []
  page.on('requestfailed', (request) => failed.push(new URL(request.url()).pathname))
  const before = runtime.deliveryLog.list().length

  const person = { userId: 'foreign-cy', email: 'cy.foreign@example.com', batching: false }
  await page.evaluate(`send(${JSON.stringify({ writeKey: WRITE_KEY, apiHost: apiHost(), ...person })})`)
  // The browser gives up on each call once its preflight is refused (403): nothing was sent after it.
  await until(() => failed.includes('/v1/i') && failed.includes('/v1/t'), LOOKS)
  await context.close()

  expect(runtime.deliveryLog.list()).toHaveLength(before)
  expect(directory().contacts.filter((c) => c.extRef === 'foreign-cy')).toEqual([])
  expect(leftLoopback).toEqual([])
})
