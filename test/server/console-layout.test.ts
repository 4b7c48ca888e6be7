import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startSandboxRuntime } from '../../scripts/dev/screenshots'
import type { LocalRuntime } from '../../src/server/runtime'
import { browserTest, deliveryRecord, newConsolePage, openBrowser, serveDeliveries } from './console-page'

// The console's layout, measured in Chromium: on a phone (360 px) and a desktop, nothing runs off the page or off its
// card (a long error message, a long URL, a long messageId), and short words are never broken ("Stat/us").
jest.setTimeout(120_000)

let runtime: LocalRuntime
let browser: Browser | undefined

beforeAll(async () => {
  browser = await openBrowser()
  if (!browser) return
  runtime = await startSandboxRuntime()
  const identify = readFileSync(join(__dirname, '../../examples/identify.json'), 'utf8')
  await fetch(`${runtime.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: identify
  })
})
afterAll(async () => {
  await browser?.close()
  await runtime?.close()
})

/**
 * Everything on the page that runs past the viewport's right edge, or past the card it sits in, and every header,
 * badge or button whose text was broken over two lines. Elements inside a box that scrolls (a table's scroller, a
 * JSON block) are clipped by that box, so only the box itself is measured (and a table must not need its scroller).
 */
function overflowsIn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    const width = document.documentElement.clientWidth
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className)}` : ''} "${(
        el.textContent ?? ''
      ).slice(0, 30)}"`
    const scrolls = (el: Element) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX)
    const clipped = (el: Element) => {
      for (let up = el.parentElement; up; up = up.parentElement) if (scrolls(up)) return true
      return false
    }
    if (document.documentElement.scrollWidth > width) {
      found.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`)
    }
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 || el.closest('.skip-link, .visually-hidden, [hidden]') || clipped(el)) continue
      if (box.right > width + 0.5) found.push(`${name(el)} ends at ${Math.round(box.right)} px of ${width}`)
      const card = el.parentElement?.closest('.card')
      if (card && box.right > card.getBoundingClientRect().right + 0.5) found.push(`${name(el)} runs off its card`)
    }
    // A table's scroller is the last resort, for widths between these: here every table fits without it.
    for (const el of Array.from(document.querySelectorAll('.table-scroll'))) {
      if (el.scrollWidth > el.clientWidth + 1) found.push(`${name(el)} scrolls sideways`)
    }
    for (const el of Array.from(document.querySelectorAll('th, .badge, button, nav li'))) {
      if (el.getBoundingClientRect().width === 0) continue
      for (const text of Array.from(el.childNodes)) {
        if (text.nodeType !== Node.TEXT_NODE || !text.textContent?.trim() || text.textContent.includes(' ')) continue
        const range = document.createRange()
        range.selectNodeContents(text)
        const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)))
        if (lines.size > 1) found.push(`${name(el)} is broken over ${lines.size} lines`)
      }
    }
    return found
  })
}

async function openView(page: Page, view: string, ready: string): Promise<void> {
  await page.locator(`[data-view="${view}"]`).click()
  await page.locator(ready).first().waitFor({ state: 'attached' })
}

describe.each([360, 420, 1280])('at %i px wide', (width) => {
  let page: Page
  const problems: string[] = []
  beforeAll(async () => {
    if (!browser) return
    page = await newConsolePage(browser, width, problems)
    await serveDeliveries(page, [
      deliveryRecord({ id: 'a', messageId: `message-${'9'.repeat(70)}`, userId: `user-${'4'.repeat(50)}` }),
      deliveryRecord({ id: 'b', state: 'delivered', anonymousId: 'anon-2' })
    ])
    await page.goto(`${runtime.url}/#deliveries`)
    await page.locator('#deliveries-list .card').first().waitFor()
  })
  afterAll(() => page?.close())

  browserTest('the delivery view, with a long error message, fits and breaks no short word', async () => {
    await page.locator('#deliveries-list details').evaluateAll((all) => all.forEach((d) => d.setAttribute('open', '')))
    expect(await overflowsIn(page)).toEqual([])
  })

  browserTest.each([
    ['stats', '#stats-paths'],
    ['tester', '#tester-action option'],
    ['sandbox', '#sandbox-contacts table']
  ])('the %s view fits', async (view, ready) => {
    await openView(page, view, ready)
    expect(await overflowsIn(page)).toEqual([])
    expect(problems).toEqual([])
  })
})
