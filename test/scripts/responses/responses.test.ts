import { startSandbox } from '../../../src/sandbox'
import type { Sandbox } from '../../../src/sandbox'
import { qualtricsAccessFromEnv, runResponsesCommand } from '../../../scripts/responses/responses'

let sandbox: Sandbox
beforeEach(async () => (sandbox = await startSandbox({ port: 0 })))
afterEach(() => sandbox.close())

const envFor = (extra: Record<string, string> = {}) => ({
  QUALTRICS_API_TOKEN: 'sandbox-token',
  QUALTRICS_DATACENTER: 'iad1',
  QUALTRICS_API_BASE_URL: sandbox.url,
  ...extra
})

async function run(args: string[], env = envFor()) {
  const out: string[] = []
  await runResponsesCommand(args, env, (line) => out.push(line))
  return out
}

describe('npm run responses', () => {
  it('subscribes, lists and unsubscribes; a generated shared key is shown once, on subscribe', async () => {
    const url = 'https://receiver.example.com/qualtrics/responses'
    const subscribed = await run(['subscribe', '--survey', 'SV_sandboxNps0001', '--url', url])
    expect(subscribed[0]).toMatch(/^Subscribed (SUB_\w+): completed responses of SV_sandboxNps0001 → https:/)
    const key = /QUALTRICS_SUBSCRIPTION_KEY=([0-9a-f]{64})$/.exec(subscribed[1])![1]
    const [stored] = sandbox.store.eventSubscriptions.list('sandbox-brand')
    expect(stored).toMatchObject({ sharedKey: key, topics: 'surveyengine.completedResponse.SV_sandboxNps0001' })

    const id = stored.id
    const listed = await run(['list'])
    expect(listed).toEqual([`${id}  surveyengine.completedResponse.SV_sandboxNps0001  → ${url}`])
    expect(listed.join('\n')).not.toContain(key)
    expect(await run(['unsubscribe', '--id', id])).toEqual([`Removed ${id}`])
    expect(await run(['list'])).toEqual(['No event subscriptions.'])
  })

  it('uses QUALTRICS_SUBSCRIPTION_KEY when set, and never prints it', async () => {
    const key = 'my-own-shared-key-0123456789'
    const out = await run(
      ['subscribe', '--survey', 'SV_sandboxNps0001', '--url', 'https://r.example.com/qualtrics/responses'],
      envFor({ QUALTRICS_SUBSCRIPTION_KEY: key })
    )
    expect(out).toHaveLength(1)
    expect(out.join('\n')).not.toContain(key)
    expect(sandbox.store.eventSubscriptions.list('sandbox-brand')[0].sharedKey).toBe(key)
  })

  it.each([
    [['subscribe', '--survey', 'nope', '--url', 'https://r.example.com/x'], /--survey "nope" is not a survey id/],
    [['subscribe', '--survey', 'SV_sandboxNps0001', '--url', 'http://r.example.com/x'], /--url must be https/],
    [['subscribe', '--survey', 'SV_sandboxNps0001'], /subscribe needs --survey SV_… and --url/],
    [['unsubscribe'], /unsubscribe needs --id/],
    [['unsubscribe', '--id', 'SUB_nope'], /Qualtrics answered 404/],
    [['frobnicate'], /Usage: npm run responses/]
  ])('refuses %j, saying why', async (args, message) => {
    await expect(run(args)).rejects.toThrow(message)
  })

  it('takes credentials from the same environment as npm start', () => {
    expect(() => qualtricsAccessFromEnv({})).toThrow(/Set QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER/)
    expect(() => qualtricsAccessFromEnv({ QUALTRICS_API_TOKEN: 't', QUALTRICS_DATACENTER: 'not a dc' })).toThrow(
      /QUALTRICS_DATACENTER/
    )
    expect(qualtricsAccessFromEnv({ QUALTRICS_API_TOKEN: 't', QUALTRICS_DATACENTER: 'FRA1' })).toEqual({
      origin: 'https://fra1.qualtrics.com',
      apiToken: 't'
    })
    expect(() =>
      qualtricsAccessFromEnv({
        QUALTRICS_API_TOKEN: 't',
        QUALTRICS_DATACENTER: 'iad1',
        QUALTRICS_API_BASE_URL: 'https://evil.example.com'
      })
    ).toThrow(/loopback/)
  })
})
