/**
 * `npx tsx scripts/bench/responses.ts [--rounds N]`: the survey-responses round trip, timed. For each round a
 * sandbox contact completes the survey; the figures are from the completion request to (a) the track delivered at
 * the local server's tracking API and (b) the answer written back as the contact's embedded data. Everything on
 * 127.0.0.1, in one process; prints figures, asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_KEY_HEADER } from '../../src/sandbox'
import { LOOP, startResponsesLoop } from '../responses/loop'

const SURVEY = LOOP.survey

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 30_000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 1))
  if (!check()) throw new Error('gave up waiting (30 s)')
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
const describe = (label: string, values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return `${label}: median ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rounds')
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 50
  const folder = mkdtempSync(join(tmpdir(), 'bench-responses-'))
  const port = await freePort()
  const { runtime } = await startResponsesLoop({ folder, port, segmentApiHost: `http://127.0.0.1:${port}` })
  const sandbox = runtime.sandbox!
  try {
    const directory = () => sandbox.store.snapshot().directories[0]
    const toTrack: number[] = []
    const toWriteBack: number[] = []
    for (let round = 0; round < rounds; round++) {
      const extRef = `bench-user-${round}`
      const { id } = sandbox.store.createContact(directory().directoryId, { extRef, email: `${extRef}@example.com` })
      const started = process.hrtime.bigint()
      const completed = await fetch(`${sandbox.url}/__sandbox/surveys/${SURVEY}/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SANDBOX_KEY_HEADER]: sandbox.controlKey },
        body: JSON.stringify({
          directoryId: directory().directoryId,
          contactId: id,
          answers: { nps_score: round % 11 }
        })
      })
      const { responseId } = (await completed.json()) as { responseId: string }
      await until(() => runtime.deliveryLog.list().some((r) => r.messageId === responseId && r.state === 'delivered'))
      toTrack.push(Number(process.hrtime.bigint() - started) / 1e6)
      const contact = () => directory().contacts.find((c) => c.id === id)
      await until(() => contact()?.embeddedData?.nps_score === round % 11)
      toWriteBack.push(Number(process.hrtime.bigint() - started) / 1e6)
    }
    console.log(`${rounds} round trips (completion → callback → receiver → tracking API → upsertContact), sequential`)
    console.log(describe('completion → track delivered at the tracking API', toTrack))
    console.log(describe('completion → answer written back as embedded data', toWriteBack))
  } finally {
    await runtime.close()
    rmSync(folder, { recursive: true, force: true })
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
