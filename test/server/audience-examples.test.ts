import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadLocalConfig } from '../../src/server/config'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { backfill, DEFAULT_EXTERNAL_ID } from '../../scripts/dev/audience-backfill'
import { postToServer, sendPaced } from '../../scripts/dev/audience-pacing'
import { tempFolder } from './tracking/helpers'

// The README's audience walk-through: npm start (the same runtime, on free ports), create the audience on the
// seed's list, then the examples by curl, then a backfill.
const ROOT = join(__dirname, '../..')
const execFileAsync = promisify(execFile)
const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8')
let runtime: LocalRuntime
const queue = tempFolder()

beforeAll(async () => {
  runtime = await startLocalRuntime({
    config: { ...loadLocalConfig({}), port: 0, sandboxPort: 0 },
    tracking: { queueFolder: queue.folder },
    log: () => undefined
  })
})
afterAll(async () => {
  await runtime.close()
  queue.remove()
})

async function post(path: string, body: string) {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body
  })
  return { status: response.status, body: await response.json() }
}

async function listMembers(): Promise<string[]> {
  const state = await (await fetch(`${runtime.sandbox!.url}/__sandbox/state`)).json()
  const list = state.directories[0].mailingLists.find(
    (l: { mailingListId: string }) => l.mailingListId === 'CG_sandbox000001'
  )
  return list.members.map((m: { contactId: string }) => m.contactId)
}

describe('the audience examples through the embedded sandbox', () => {
  it('creates the audience on the seed’s list, adds on entry, removes on exit', async () => {
    const created = await post(
      '/createAudience',
      JSON.stringify({
        audienceName: 'Cart abandoners',
        audienceSettings: { directoryId: 'POOL_sandbox0000001', mailingListId: 'CG_sandbox000001' }
      })
    )
    expect(created).toEqual({ status: 200, body: { externalId: DEFAULT_EXTERNAL_ID } })
    expect(JSON.parse(example('audience-entered.json')).context.personas.external_audience_id).toBe(DEFAULT_EXTERNAL_ID)

    const entered = await post('/events', example('audience-entered.json'))
    const sync = entered.body.results[0].deliveries.find((d: { action: string }) => d.action === 'syncAudience')
    expect(sync).toMatchObject({ status: 200, body: { action: 'added' } })
    expect(await listMembers()).toEqual([sync.body.contactId])

    const exited = await post('/events', example('audience-exited.json'))
    expect(
      exited.body.results[0].deliveries.map((d: { action: string; status: number }) => [d.action, d.status])
    ).toEqual([
      ['syncAudience', 200],
      ['triggerXflow', 200]
    ])
    expect(exited.body.results[0].deliveries[0].body).toMatchObject({
      action: 'removed',
      contactId: sync.body.contactId
    })
    expect(await listMembers()).toEqual([])
  })

  it('takes a backfill through POST /syncAudience: one result per member', async () => {
    const answer = await post('/syncAudience', JSON.stringify(backfill(50)))
    expect(answer.status).toBe(200)
    expect(answer.body.results).toHaveLength(50)
    expect(answer.body.results.every((r: { status: number }) => r.status === 200)).toBe(true)
    expect(await listMembers()).toHaveLength(50)
  })

  // The sandbox's minute is moved on through the console's clock route instead of waited for.
  const aSandboxMinuteLater = async () => {
    const answer = await post('/console/api/sandbox/clock', JSON.stringify({ advanceMs: 60_000 }))
    expect(answer.status).toBe(200)
  }

  it('takes the README backfill of 1,000 paced (--send): every member added, none answered 429', async () => {
    await aSandboxMinuteLater()
    const report = await sendPaced(backfill(1000).payload, {
      post: postToServer(runtime.url),
      waitAMinute: aSandboxMinuteLater
    })
    expect(report).toEqual({ added: 1000, refused: [], unsent: [], rounds: 3, answered429: 0 })
    expect(await listMembers()).toHaveLength(1000)
  }, 120_000)

  it('--send on the command line posts the members to the server it names and says what was added', async () => {
    // Not spawnSync: the server answering it runs in this process.
    const run = await execFileAsync(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/dev/audience-backfill.ts', '--send', runtime.url, '--members', '20'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }
    )
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain(`sending 20 audience members to ${runtime.url}/syncAudience`)
    expect(run.stdout).toContain('20 members added in 1 round(s)')
  }, 30_000)
})

describe('scripts/dev/audience-backfill.ts', () => {
  it('writes 1,000 distinct members with the membership trait true, for the seed’s list', () => {
    const folder = mkdtempSync(join(tmpdir(), 'backfill-'))
    try {
      const out = join(folder, 'backfill.json')
      const run = spawnSync(
        process.execPath,
        [require.resolve('tsx/cli'), 'scripts/dev/audience-backfill.ts', '--out', out],
        {
          cwd: ROOT,
          encoding: 'utf8'
        }
      )
      expect(run.status).toBe(0)
      const { payload } = JSON.parse(readFileSync(out, 'utf8'))
      expect(payload).toHaveLength(1000)
      expect(new Set(payload.map((e: { traits: { email: string } }) => e.traits.email)).size).toBe(1000)
      expect(new Set(payload.map((e: { userId: string }) => e.userId)).size).toBe(1000)
      for (const event of payload) {
        expect(event.traits.cart_abandoners).toBe(true)
        expect(event.context.personas).toMatchObject({
          computation_class: 'audience',
          computation_key: 'cart_abandoners',
          external_audience_id: DEFAULT_EXTERNAL_ID
        })
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  }, 30_000)
})
