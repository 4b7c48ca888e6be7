import type { Browser, Page, Route } from 'playwright-core'
import { findChromium, launchChromium } from '../../scripts/dev/browser'

// What the console's browser tests share: the Chromium scripts/dev/browser.ts finds (skipped, with one line saying
// why and how to get one, only where none can be had), pages that report their script errors, and delivery records
// in the log's shape for tests that need a given record on the page.

export const chromium = findChromium()
if (chromium.kind === 'none') process.stderr.write(`Skipping the console's browser tests. ${chromium.reason}\n`)
export const browserTest = chromium.kind === 'none' ? test.skip : test

export async function openBrowser(): Promise<Browser | undefined> {
  return chromium.kind === 'none' ? undefined : launchChromium(chromium)
}

/** A new page whose script errors and failed loads (other than the `expected` URL parts) land in `problems`. */
export async function newConsolePage(
  browser: Browser,
  width: number,
  problems: string[],
  expected: string[] = []
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } })
  page.on('console', (message) => {
    const url = message.location().url
    if (message.type() === 'error' && !expected.some((part) => url.includes(part)))
      problems.push(`console: ${message.text()} (${url})`)
  })
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`))
  return page
}

const LONG_TOKEN = `POOL_${'x'.repeat(30)}/contacts/CID_${'7'.repeat(60)}`

/** An error message as Qualtrics can give it: long, with one word far wider than a phone. */
export const LONG_ERROR =
  `Qualtrics answered 400 for POST https://iad1.qualtrics.com/API/v3/directories/${LONG_TOKEN}: ` +
  'the request body was not valid: '.repeat(6) +
  'embeddedData must be an object of string values.'

/** One record in the delivery log's shape (src/server/delivery-log.ts), with the fields `over` sets. */
export function deliveryRecord(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'rec-1',
    receivedAt: '2026-12-01T09:00:00.000Z',
    source: 'sdk',
    type: 'track',
    event: 'Transaction Created',
    messageId: 'msg-1',
    state: 'failed',
    attempts: 1,
    deliveries: [
      {
        subscription: 'Upsert contact transaction',
        action: 'upsertContactTransaction',
        status: 400,
        retryable: false,
        payload: { directoryId: 'POOL_1' },
        errormessage: LONG_ERROR
      }
    ],
    requests: [
      {
        request: { method: 'POST', url: `https://iad1.qualtrics.com/API/v3/directories/${LONG_TOKEN}`, body: {} },
        response: { status: 400, body: { meta: { error: { errorMessage: LONG_ERROR } } } }
      }
    ],
    ...over
  }
}

/** Answers the page's GET /console/api/deliveries with these records (every filter alike). */
export async function serveDeliveries(page: Page, records: Record<string, unknown>[]): Promise<void> {
  await page.route('**/console/api/deliveries*', (route: Route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ deliveries: records }) })
  )
}
