import type { Browser, Page } from 'playwright-core'
import type { LocalRuntime } from '../../src/server/runtime'
import { findChromium, launchChromium } from '../../scripts/dev/browser'
import { startSandboxRuntime, VIEWPORT } from '../../scripts/dev/screenshots'

// The console driven as a keyboard user would: Tab, Enter, arrow keys and typing only; the page is read back, never
// clicked. In this machine's Chromium, or else the one from npm (scripts/dev/browser.ts); skipped, with one line
// saying why and how to get a browser, only where neither exists (a platform the npm one does not support).
jest.setTimeout(90_000)

const chromium = findChromium()
if (chromium.kind === 'none') process.stderr.write(`Skipping the console's browser test. ${chromium.reason}\n`)
const browserTest = chromium.kind === 'none' ? test.skip : test

const EMAIL = 'keyboard.only@example.com'
const EVENT = { type: 'identify', userId: 'kb-1', messageId: 'kb-event-1', traits: { email: EMAIL, firstName: 'Kay' } }

let runtime: LocalRuntime
let browser: Browser
let page: Page
const problems: string[] = []

beforeAll(async () => {
  if (chromium.kind === 'none') return
  runtime = await startSandboxRuntime()
  browser = await launchChromium(chromium)
  page = await browser.newPage({ viewport: VIEWPORT })
  page.on('console', (message) => {
    // The delivery log is mounted with the tracking queue; until then its view says so, after this 404.
    const absentLog = message.location().url.endsWith('/console/api/deliveries') && message.text().includes('404')
    if (message.type() === 'error' && !absentLog)
      problems.push(`console: ${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`))
})
afterAll(async () => {
  await browser?.close()
  await runtime?.close()
})

/** Presses the key (Tab, or Shift+Tab) until the element matching the selector has the focus. */
async function tabTo(selector: string, key = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return
    await page.keyboard.press(key)
  }
  throw new Error(`${key} never reached ${selector}`)
}

const focusedId = () => page.evaluate('document.activeElement?.id')

browserTest('a keyboard user delivers an event from the tester and finds the contact in the sandbox view', async () => {
  await page.goto(`${runtime.url}/`)
  expect(await page.title()).toContain('local console')
  // The first view: the delivery log, or, on a server without one, a sentence saying so.
  await page.locator('#deliveries-line', { hasText: /newest first|no delivery log/ }).waitFor()

  await tabTo('[data-view="tester"]')
  await page.keyboard.press('Enter')
  expect(await focusedId()).toBe('h-tester')
  await page.locator('#tester-action option').first().waitFor({ state: 'attached' })

  await tabTo('#tester-action')
  await page.keyboard.type('triggerXflow')
  expect(await page.locator('#tester-action').inputValue()).toBe('triggerXflow')
  expect(await page.locator('#tester-event').inputValue()).toContain('Survey Completed')
  await page.keyboard.press('ArrowUp')
  expect(await page.locator('#tester-action').inputValue()).toBe('upsertContact')
  expect(await page.locator('#tester-mapping').inputValue()).toContain('$.traits.email')

  await tabTo('#tester-event')
  await page.keyboard.press('Control+A')
  await page.keyboard.type(JSON.stringify(EVENT))
  await tabTo('#tester-run')
  await page.keyboard.press('Enter')

  const status = page.locator('#tester-status')
  await status.filter({ hasText: 'delivered' }).waitFor()
  expect(await status.textContent()).toBe('upsertContact: 1 of 1 event(s) delivered, 1 Qualtrics request(s).')
  const results = (await page.locator('#tester-results').textContent()) ?? ''
  expect(results).toContain('kb-event-1')
  expect(results).toMatch(/"contactId": "CID_/)
  expect(results).toContain('POST http://127.0.0.1')

  await tabTo('[data-view="sandbox"]', 'Shift+Tab')
  await page.keyboard.press('Enter')
  await page.locator('#sandbox-contacts', { hasText: EMAIL }).waitFor()
  expect(await page.locator('#sandbox-line').textContent()).toContain('1 contact(s)')
  const contactRow = (await page.locator('#sandbox-contacts tbody tr').first().textContent()) ?? ''
  expect(contactRow).toContain('Kay')
  expect(contactRow).toContain('kb-1')
  // The seeded list, with its member count (none yet: the tester's contact was not added to a list).
  const listRow = await page.locator('#sandbox-lists tbody tr').first().locator('td').allTextContents()
  expect(listRow).toEqual(['CG_sandbox000001', 'Sandbox customers', 'POOL_sandbox0000001', '0'])

  expect(problems).toEqual([])
})
