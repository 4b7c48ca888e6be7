import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page, Request, Route } from 'playwright-core'
import { startSandboxRuntime } from '../../scripts/dev/screenshots'
import type { LocalRuntime } from '../../src/server/runtime'
import { browserTest, deliveryRecord, newConsolePage, openBrowser, serveDeliveries } from './console-page'

// What the console's views show and when, in Chromium with the page's clock under the test's control
// (page.clock): live updates come every LIVE_INTERVAL_MS of the page's time, never of the test's.
jest.setTimeout(120_000)

/** The interval the page uses, read from the shipped module so that this test follows it. */
const INTERVAL = Number(
  /LIVE_INTERVAL_MS = (\d+)/.exec(readFileSync(join(__dirname, '../../src/server/console/live.js'), 'utf8'))?.[1]
)
/** How long the test waits for the page to react to something it did (real time: generous, never a budget). */
const REACT = { timeout: 15_000 }

let runtime: LocalRuntime
let browser: Browser | undefined
let page: Page
const problems: string[] = []

beforeAll(async () => {
  browser = await openBrowser()
  if (browser) runtime = await startSandboxRuntime()
})
afterAll(async () => {
  await browser?.close()
  await runtime?.close()
})
beforeEach(async () => {
  if (!browser) return
  problems.length = 0
  // The stubbed 400 below is logged by Chromium as a failed load: expected.
  page = await newConsolePage(browser, 1280, problems, ['/console/api/deliveries?status=failed'])
  await page.clock.install()
})
afterEach(() => page?.close())

const post = (path: string, body: unknown) =>
  fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })

const identify = (id: string) => ({
  type: 'identify',
  userId: `user-${id}`,
  messageId: id,
  traits: { email: `${id}@example.com` }
})

/** Waits until the page's live updates are in `stage` (live.js marks it on <body data-live>). */
const liveStage = (stage: string) => page.locator(`body[data-live="${stage}"]`).waitFor({ state: 'attached', ...REACT })

/** Makes the page's tab hidden or shown, as a browser does when the reader switches tabs. */
const setVisibility = (state: 'hidden' | 'visible') =>
  page.evaluate((visibility) => {
    Object.defineProperty(document, 'visibilityState', { value: visibility, configurable: true })
    Object.defineProperty(document, 'hidden', { value: visibility === 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  }, state)

describe('the delivery view', () => {
  browserTest(
    'a filter applies when picked; one the API refuses empties the list and says why, the old list does not stay',
    async () => {
      expect((await post('/events', identify('filter-1'))).status).toBe(200)
      await page.goto(`${runtime.url}/#deliveries`)
      await page.locator('#deliveries-list .card', { hasText: 'filter-1' }).waitFor(REACT)

      await page.route('**/console/api/deliveries?status=failed', (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: '{"error":"status \\"failed\\" is refused"}'
        })
      )
      // Picking a filter applies it; Show applies it again.
      await page.locator('#deliveries-status').selectOption('failed')
      await page.locator('#deliveries-line', { hasText: 'Could not load deliveries' }).waitFor(REACT)
      expect(await page.locator('#deliveries-line').textContent()).toContain('status "failed" is refused')
      expect(await page.locator('#deliveries-list .card').count()).toBe(0)

      await page.locator('#deliveries-status').selectOption('delivered')
      await page.getByRole('button', { name: 'Show' }).click()
      // Show sets the line to "Loading…" until its answer: wait for the line, not the card that was already there.
      await page.locator('#deliveries-line', { hasText: '1 event delivered, newest first.' }).waitFor(REACT)
      const cards = await page.locator('#deliveries-list .card').allTextContents()
      expect(cards).toEqual([expect.stringContaining('filter-1')])
    }
  )

  browserTest('it updates itself while shown, one request at a time, and not while the tab is hidden', async () => {
    const asked: Request[] = []
    page.on('request', (request) => {
      if (request.url().includes('/console/api/deliveries')) asked.push(request)
    })
    await page.goto(`${runtime.url}/#deliveries`)
    await liveStage('waiting')
    expect(asked).toHaveLength(1)

    expect((await post('/events', identify('live-1'))).status).toBe(200)
    await page.clock.runFor(INTERVAL)
    await page.locator('#deliveries-list .card', { hasText: 'live-1' }).waitFor(REACT)
    await liveStage('waiting')
    expect(asked).toHaveLength(2)

    await setVisibility('hidden')
    await liveStage('paused')
    await page.clock.runFor(INTERVAL * 5)
    expect(asked).toHaveLength(2)
    await setVisibility('visible')
    await liveStage('waiting')
    expect(asked).toHaveLength(3)

    // A server that does not answer gets one request, however long the page waits.
    const held: Route[] = []
    await page.route('**/console/api/deliveries*', (route) => void held.push(route))
    const hung = page.waitForRequest('**/console/api/deliveries*', REACT)
    await page.clock.runFor(INTERVAL)
    await hung
    await liveStage('loading')
    await page.clock.runFor(INTERVAL * 10)
    expect(asked).toHaveLength(4)
    expect(held).toHaveLength(1)
    await held[0].continue()
    await page.unroute('**/console/api/deliveries*')
    await liveStage('waiting')
    expect(problems).toEqual([])
  })

  browserTest('every card names its person; a state the console does not know is shown with its message', async () => {
    const repeat = 'already delivered on 2026-12-01T08:00:00.000Z'
    await serveDeliveries(page, [
      deliveryRecord({ id: 'a', messageId: 'm-a', userId: 'user-7' }),
      deliveryRecord({ id: 'b', messageId: 'm-b', anonymousId: 'anon-8', state: 'delivered' }),
      deliveryRecord({
        id: 'c',
        messageId: 'm-c',
        userId: 'user-9',
        state: 'duplicate',
        message: repeat,
        deliveries: [
          { subscription: 'Create or update contact', action: 'upsertContact', status: 200, message: repeat }
        ]
      })
    ])
    await page.goto(`${runtime.url}/#deliveries`)
    const cards = page.locator('#deliveries-list .card')
    await cards.nth(2).waitFor(REACT)
    const text = await cards.allTextContents()
    expect(text[0]).toContain('userId user-7')
    expect(text[1]).toContain('anonymousId anon-8')
    expect(text[2]).toContain('userId user-9')
    expect(await cards.nth(2).locator('h3 .badge').textContent()).toBe('duplicate')
    expect(await cards.nth(2).locator('.note').textContent()).toBe(repeat)
    expect(await cards.nth(2).locator('td').last().textContent()).toContain(repeat)
  })
})

describe('a live update', () => {
  browserTest('keeps open the details the reader opened, and the focus on its summary', async () => {
    const first = deliveryRecord({ id: 'keep', messageId: 'm-keep', userId: 'user-keep' })
    await serveDeliveries(page, [first])
    await page.goto(`${runtime.url}/#deliveries`)
    await liveStage('waiting')
    const requests = page.locator('#deliveries-list .card', { hasText: 'm-keep' }).locator(':scope > details').last()
    await requests.locator(':scope > summary').focus()
    await page.keyboard.press('Enter')
    expect(await requests.getAttribute('open')).toBe('')

    await serveDeliveries(page, [deliveryRecord({ id: 'new', messageId: 'm-new', userId: 'user-new' }), first])
    await page.clock.runFor(INTERVAL)
    await page.locator('#deliveries-list .card', { hasText: 'm-new' }).waitFor(REACT)
    expect(await requests.getAttribute('open')).toBe('')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Qualtrics requests (1)')
  })
})

describe('the stats view', () => {
  browserTest('it lists every path events came in by, and updates itself', async () => {
    expect((await post('/events', identify('stats-1'))).status).toBe(200)
    expect((await post('/v1/identify', identify('stats-2'))).status).toBe(200)
    await page.goto(`${runtime.url}/#stats`)
    const paths = page.locator('#stats-paths')
    await paths.locator('td', { hasText: '/v1/identify' }).waitFor(REACT)
    expect(await paths.textContent()).toContain('/events')

    expect((await post('/v1/track', { ...identify('stats-3'), type: 'track', event: 'Viewed' })).status).toBe(200)
    await liveStage('waiting')
    await page.clock.runFor(INTERVAL)
    await paths.locator('td', { hasText: '/v1/track' }).waitFor(REACT)
    expect(await page.locator('#stats-counters').textContent()).toContain('qualtrics.request')
    expect(problems).toEqual([])
  })
})
