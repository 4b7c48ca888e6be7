import { ClassicLevel } from 'classic-level'
import { startSandboxRuntime } from '../../scripts/dev/screenshots'
import { startLocalRuntime } from '../../src/server/runtime'
import { EventQueue } from '../../src/server/tracking'
import { tempFolder, trackEvent } from './tracking/helpers'

// `npm start` keeps its events in the folder TRACKING_QUEUE_DIR names (else .local/queue/). A temporary folder named
// by TRACKING_QUEUE_DIR stands in for it here, so that this test never opens the real one. The console tests, the
// console's browser test and `npm run screenshots` all start their runtime with startSandboxRuntime(): it must
// neither stop on npm start's lock nor deliver the events npm start left pending.

// The last test reads a queue's set-aside records through the console's route.

let npmStartQueue: ReturnType<typeof tempFolder>
const before = process.env.TRACKING_QUEUE_DIR
beforeEach(() => {
  npmStartQueue = tempFolder()
  process.env.TRACKING_QUEUE_DIR = npmStartQueue.folder
})
afterEach(() => {
  if (before === undefined) delete process.env.TRACKING_QUEUE_DIR
  else process.env.TRACKING_QUEUE_DIR = before
  npmStartQueue.remove()
})

const pendingEvent = () => trackEvent('Left by npm start', new Date('2024-05-01T12:00:00Z'))

test('while npm start holds its queue, a test run starts on a queue of its own', async () => {
  const held = await EventQueue.open({ folder: npmStartQueue.folder })
  try {
    await held.enqueue([pendingEvent()], () => 'npm start')
    const runtime = await startSandboxRuntime()
    try {
      expect(runtime.tracking.size()).toEqual({ pending: 0, finished: 0 })
      expect(runtime.summary.join('\n')).not.toContain(npmStartQueue.folder)
    } finally {
      await runtime.close()
    }
    expect(held.size).toEqual({ pending: 1, finished: 0 })
  } finally {
    await held.close()
  }
})

test('the events a stopped npm start left pending stay pending through a test run', async () => {
  const stopped = await EventQueue.open({ folder: npmStartQueue.folder })
  const event = pendingEvent()
  await stopped.enqueue([event], () => 'npm start')
  await stopped.close()

  const runtime = await startSandboxRuntime()
  const sizeInTestRun = runtime.tracking.size()
  await runtime.close()
  expect(sizeInTestRun).toEqual({ pending: 0, finished: 0 })

  const reopened = await EventQueue.open({ folder: npmStartQueue.folder })
  try {
    expect(await reopened.recent()).toEqual([expect.objectContaining({ messageId: event.messageId, status: 'queued' })])
  } finally {
    await reopened.close()
  }
})

test('GET /console/api/queues shows a queue’s unreadable records: how many, which, and where they are kept', async () => {
  const key = '0001714564800000!000000000009'
  const db = new ClassicLevel<string, string>(npmStartQueue.folder, { valueEncoding: 'utf8' })
  await db.sublevel<string, string>('pending', { valueEncoding: 'utf8' }).put(key, '{"cut short')
  await db.close()
  const runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: 0, sandboxPort: 0, mappingDefaults: {} },
    tracking: { queueFolder: npmStartQueue.folder }
  })
  try {
    const answer = await fetch(`${runtime.url}/console/api/queues`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({
      queues: [
        {
          name: 'Segment Tracking API',
          folder: npmStartQueue.folder,
          pending: 0,
          finished: 0,
          unreadable: {
            count: 1,
            found: [{ from: 'pending', key, reason: expect.stringMatching(/^not JSON/) }],
            where: expect.stringContaining(
              `kept in ${npmStartQueue.folder} under "unreadable!", see docs/local-server.md`
            )
          }
        }
      ]
    })
    expect(runtime.summary.join('\n')).toContain(`1 unreadable record set aside: pending ${key} (not JSON`)
  } finally {
    await runtime.close()
  }
})
