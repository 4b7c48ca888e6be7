import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadLocalConfig } from '../../src/server/config'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { tempFolder } from './tracking/helpers'

// The README's walk-through: `npm start` (here: the same runtime, on free ports), then the examples by curl.
const example = (name: string) => readFileSync(join(__dirname, '../../examples', name), 'utf8')
let runtime: LocalRuntime | undefined
let queue: ReturnType<typeof tempFolder>

beforeEach(() => (queue = tempFolder()))
afterEach(async () => {
  await runtime?.close()
  runtime = undefined
  queue.remove()
})

async function deliver(file: string) {
  const response = await fetch(`${runtime!.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: example(file)
  })
  expect(response.status).toBe(200)
  return (await response.json()) as { results: { deliveries: { action: string; status: number }[] }[] }
}

async function state() {
  return (await (await fetch(`${runtime!.sandbox!.url}/__sandbox/state`)).json()) as {
    directories: { directoryId: string; contacts: { id: string; email?: string }[]; transactions: unknown[] }[]
    workflowRuns: { payload: { messageId: string } }[]
  }
}

describe('examples/ through the embedded sandbox', () => {
  it.each([
    ['the built-in seed', {}],
    ['examples/sandbox-seed.json', { SANDBOX_SEED: join(__dirname, '../../examples/sandbox-seed.json') }]
  ])('delivers each example event with %s', async (_, env) => {
    runtime = await startLocalRuntime({
      config: { ...loadLocalConfig(env), port: 0, sandboxPort: 0 },
      tracking: { queueFolder: queue.folder }
    })
    const identify = await deliver('identify.json')
    expect(identify.results[0].deliveries).toEqual([expect.objectContaining({ action: 'upsertContact', status: 200 })])
    const transaction = await deliver('transaction-created.json')
    expect(transaction.results[0].deliveries).toEqual([
      expect.objectContaining({ action: 'upsertContactTransaction', status: 200 })
    ])
    const survey = await deliver('survey-completed.json')
    expect(survey.results[0].deliveries).toEqual([expect.objectContaining({ action: 'triggerXflow', status: 200 })])

    const stored = await state()
    const directory = stored.directories[0]
    const ada = directory.contacts.filter((c) => c.email === 'ada.lovelace@example.com')
    expect(ada).toHaveLength(1)
    expect(directory.transactions).toEqual([
      expect.objectContaining({ contactId: ada[0].id, key: 'example-transaction-0001' })
    ])
    expect(stored.workflowRuns.map((run) => run.payload.messageId)).toEqual(['example-survey-0001'])
  })

  it('refuses a seed file that is not valid, naming the problem', async () => {
    await expect(
      startLocalRuntime({
        config: {
          ...loadLocalConfig({ SANDBOX_SEED: join(__dirname, '../../examples/identify.json') }),
          port: 0,
          sandboxPort: 0
        },
        tracking: { queueFolder: queue.folder }
      })
    ).rejects.toThrow(/Sandbox seed: users must list at least one user/)
  })
})
