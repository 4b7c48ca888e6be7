/**
 * `npm run screenshots`: docs/console/*.png, one per console view at 1280×800, from a sandbox runtime with a few
 * example events delivered, in the Chromium browser.ts finds (this machine's, or the one from npm). Only this command
 * writes into docs/; the tests that share its runtime and browser (console tests) write nothing into the work tree.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { launchChromium } from './browser'

export const VIEWPORT = { width: 1280, height: 800 }

/**
 * A sandbox-mode runtime on free ports, as `npm start` runs it without credentials, but with a temporary queue of
 * its own (removed on close): never npm start's, which may be open, or hold events not yet delivered.
 */
export async function startSandboxRuntime(): Promise<LocalRuntime> {
  const queueFolder = mkdtempSync(join(tmpdir(), 'sandbox-runtime-queue-'))
  const remove = () => rmSync(queueFolder, { recursive: true, force: true })
  const runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    tracking: { queueFolder }
  }).catch((error: unknown) => {
    remove()
    throw error
  })
  return {
    ...runtime,
    async close() {
      await runtime.close()
      remove()
    }
  }
}

const EXAMPLES = ['identify', 'transaction-created', 'survey-completed'].map((name) =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', `${name}.json`), 'utf8'))
)

interface EventsAnswer {
  results: Record<string, unknown>[]
  requests: unknown[]
}

/**
 * Until the tracking queue's delivery log is mounted, the delivery view is shown with records in its contract's
 * shape, built from a real POST /events answer, so the screenshot shows what the view draws.
 */
async function stubDeliveriesIfAbsent(page: Page, url: string, answers: EventsAnswer[]): Promise<void> {
  const probe = await fetch(`${url}/console/api/deliveries`)
  if (probe.status !== 404) return
  const deliveries = answers
    .map(({ results, requests }, i) => ({
      id: `example-${i + 1}`,
      receivedAt: new Date(Date.UTC(2026, 10, 24, 9, i)).toISOString(),
      source: 'events',
      state: 'delivered',
      attempts: 1,
      ...results[0],
      requests
    }))
    .reverse()
  await page.route('**/console/api/deliveries*', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ deliveries }) })
  )
}

async function main(): Promise<void> {
  const runtime = await startSandboxRuntime()
  const browser = await launchChromium()
  const folder = join(__dirname, '..', '..', 'docs', 'console')
  mkdirSync(folder, { recursive: true })
  try {
    const answers: EventsAnswer[] = []
    for (const event of EXAMPLES) {
      const answer = await fetch(`${runtime.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event)
      })
      answers.push((await answer.json()) as EventsAnswer)
    }
    const page = await browser.newPage({ viewport: VIEWPORT })
    await stubDeliveriesIfAbsent(page, runtime.url, answers)
    await page.goto(`${runtime.url}/#deliveries`)
    await page.locator('#deliveries-list li').first().waitFor()
    await page.screenshot({ path: join(folder, 'deliveries.png') })

    await page.getByRole('button', { name: 'Actions tester' }).click()
    await page.locator('#tester-action option').first().waitFor({ state: 'attached' })
    await page.getByRole('button', { name: 'Run action' }).click()
    await page.locator('#tester-status', { hasText: 'delivered' }).waitFor()
    await page.screenshot({ path: join(folder, 'tester.png') })

    await page.getByRole('button', { name: 'Sandbox', exact: true }).click()
    await page.locator('#sandbox-contacts table').waitFor()
    await page.screenshot({ path: join(folder, 'sandbox.png') })
    console.log(`Wrote deliveries.png, tester.png and sandbox.png to ${folder}`)
  } finally {
    await browser.close()
    await runtime.close()
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`Could not take the screenshots: ${error.message}`)
    process.exit(1)
  })
}
