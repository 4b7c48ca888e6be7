/**
 * `npm run screenshots`: docs/console/*.png, one per console view at 1280×800 and the delivery view at 360×800 (a
 * phone), from a sandbox runtime with the example events delivered (through POST /events, and one through the
 * tracking API), in the Chromium browser.ts finds (this machine's, or the one from npm). Only this command writes into
 * docs/; the tests that share its runtime and browser (console tests) write nothing into the work tree.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { launchChromium } from './browser'

export const VIEWPORT = { width: 1280, height: 800 }
const PHONE = { width: 360, height: 800 }

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

const post = (url: string, event: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) })

/** The example events through POST /events, and the identify again (a new messageId) through the tracking API. */
async function deliverExamples(url: string): Promise<void> {
  for (const event of EXAMPLES) await post(`${url}/events`, event)
  const tracked = { ...EXAMPLES[0], messageId: 'example-identify-sdk-0001' }
  await post(`${url}/v1/identify`, tracked)
  // The tracking API delivers in the background: wait (a script, not a test) until it has.
  for (let tries = 0; tries < 100; tries++) {
    const { deliveries } = (await (await fetch(`${url}/console/api/deliveries?status=delivered`)).json()) as {
      deliveries: { messageId?: string }[]
    }
    if (deliveries.some((d) => d.messageId === tracked.messageId)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('The tracking API did not deliver the example identify in 10 s.')
}

async function main(): Promise<void> {
  const runtime = await startSandboxRuntime()
  const browser = await launchChromium()
  const folder = join(__dirname, '..', '..', 'docs', 'console')
  mkdirSync(folder, { recursive: true })
  try {
    await deliverExamples(runtime.url)
    const phone = await browser.newPage({ viewport: PHONE })
    await phone.goto(`${runtime.url}/#deliveries`)
    await phone.locator('#deliveries-list li').first().waitFor()
    await phone.screenshot({ path: join(folder, 'deliveries-phone.png') })
    await phone.close()

    const page = await browser.newPage({ viewport: VIEWPORT })
    await page.goto(`${runtime.url}/#deliveries`)
    await page.locator('#deliveries-list li').first().waitFor()
    await page.screenshot({ path: join(folder, 'deliveries.png') })

    await page.getByRole('button', { name: 'Stats' }).click()
    await page.locator('#stats-paths table').waitFor()
    await page.screenshot({ path: join(folder, 'stats.png') })

    await page.getByRole('button', { name: 'Actions tester' }).click()
    await page.locator('#tester-action option').first().waitFor({ state: 'attached' })
    await page.getByRole('button', { name: 'Run action' }).click()
    await page.locator('#tester-status', { hasText: 'delivered' }).waitFor()
    await page.screenshot({ path: join(folder, 'tester.png') })

    await page.getByRole('button', { name: 'Sandbox', exact: true }).click()
    await page.locator('#sandbox-contacts table').waitFor()
    await page.screenshot({ path: join(folder, 'sandbox.png') })
    console.log(`Wrote deliveries.png, deliveries-phone.png, stats.png, tester.png and sandbox.png to ${folder}`)
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
