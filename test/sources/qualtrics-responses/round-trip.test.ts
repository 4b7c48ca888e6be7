/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies read back in the test */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LocalRuntime } from '../../../src/server/runtime'
import { LOOP, startResponsesLoop } from '../../../scripts/responses/loop'
import { tempFolder, until } from '../../server/tracking/helpers'

// The loop over real HTTP on 127.0.0.1: a Transaction Created track → upsertContactTransaction in the sandbox →
// the sandbox completes a survey for that contact and posts the signed callback → POST /qualtrics/responses →
// the receiver fetches the response → Segment calls to the local server's tracking API (through a capture
// server that forwards them, so the test sees what arrived) → the identify's answer written back by upsertContact.
const { survey: SURVEY, sharedKey: SHARED_KEY, writeKey: WRITE_KEY } = LOOP
const LOOKS = 3000

let folders: Array<ReturnType<typeof tempFolder>> = []
let runtime: LocalRuntime | undefined
let capture: Server | undefined

afterEach(async () => {
  await runtime?.close()
  await new Promise<void>((resolve) => (capture ? capture.close(() => resolve()) : resolve()))
  folders.forEach((f) => f.remove())
  folders = []
  runtime = undefined
  capture = undefined
})

/** Records each POST /v1/batch it gets, then forwards it (same headers, same body) to `target()`. */
async function captureServer(target: () => string, seen: Array<{ authorization?: string; body: any }>) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      seen.push({ authorization: req.headers.authorization, body: JSON.parse(text) })
      fetch(`${target()}${req.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        body: text
      })
        .then(async (answer) =>
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
        )
        .catch(() => res.writeHead(502).end())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

it('a transaction leads to a survey answer in Segment with the right userId, and the answer back in Qualtrics', async () => {
  const seen: Array<{ authorization?: string; body: any }> = []
  const proxy = await captureServer(() => runtime!.url, seen)
  capture = proxy.server
  folders = [tempFolder()]
  const logs: string[] = []
  const started = await startResponsesLoop({
    folder: folders[0].folder,
    segmentApiHost: proxy.url,
    log: (line) => logs.push(line)
  })
  runtime = started.runtime
  const sandbox = runtime.sandbox!
  expect(started.subscribed.join('\n')).toMatch(/Subscribed SUB_\w+/)

  // 1. The transaction, through the tracking API with the write key.
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
  const track = await fetch(`${runtime.url}/v1/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({
      userId: 'user-2001',
      event: 'Transaction Created',
      properties: { orderId: 'ord-9001', total: 42 },
      context: { traits: { email: 'mary.somerville@example.com' } }
    })
  })
  expect(track.status).toBe(200)
  const directory = () => sandbox.store.snapshot().directories[0]
  await until(() => directory().transactions.length === 1, LOOKS)
  const contact = directory().contacts.find((c) => c.extRef === 'user-2001')!
  expect(contact.email).toBe('mary.somerville@example.com')

  // 2. The contact completes the survey (through the console's route, as examples/responses-round-trip.sh does: the
  // sandbox's own control route needs its key); the sandbox posts the signed callback.
  const completed = await fetch(`${runtime.url}/console/api/sandbox/surveys/${SURVEY}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      directoryId: directory().directoryId,
      extRef: 'user-2001',
      answers: { nps_score: 9, nps_comment: 'Quick delivery' },
      redeliveries: 1,
      redeliveryDelayMs: 20
    })
  })
  const { responseId, callbacks } = (await completed.json()) as { responseId: string; callbacks: any[] }
  expect(callbacks).toEqual([expect.objectContaining({ status: 200, attempt: 1 })])

  // 3. The track arrives at the local tracking API with the contact's userId and is delivered there.
  const delivered = () =>
    runtime!.deliveryLog.list().find((r) => r.messageId === responseId && r.state === 'delivered') !== undefined
  await until(delivered, LOOKS)
  const calls = seen.flatMap((s) => s.body.batch)
  const surveyTrack = calls.find((c: any) => c.type === 'track')
  expect(surveyTrack).toMatchObject({
    event: 'Survey Response Completed',
    userId: 'user-2001',
    messageId: responseId,
    properties: {
      surveyId: SURVEY,
      responseId,
      recipientEmail: 'mary.somerville@example.com',
      answers: { nps_score: 9, nps_comment_TEXT: 'Quick delivery' }
    }
  })
  expect(seen.every((s) => s.authorization === auth)).toBe(true)

  // 4. The identify writes the answer back as the contact's embedded data.
  await until(() => directory().contacts.find((c) => c.extRef === 'user-2001')?.embeddedData?.nps_score === 9, LOOKS)

  // The redelivered copy is answered as a duplicate and sends nothing more.
  await until(() => sandbox.store.eventSubscriptions.deliveries.length === 2, LOOKS)
  expect(sandbox.store.eventSubscriptions.deliveries[1]).toMatchObject({ attempt: 2, status: 200 })
  expect(runtime.responses!.outcomes().map((o) => o.outcome)).toEqual(['duplicate', 'queued'])
  const sentInAll = seen.flatMap((s) => s.body.batch)
  expect(sentInAll.filter((c: any) => c.messageId === responseId)).toHaveLength(1)

  const allLogs = logs.join('\n')
  for (const secret of [SHARED_KEY, WRITE_KEY, 'sandbox-token']) expect(allLogs).not.toContain(secret)
})
