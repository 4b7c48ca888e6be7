import { loadLocalConfig, presetWarnings } from '../../src/server/config'
import { createServerContext } from '../../src/server/context'

describe('loadLocalConfig', () => {
  it('uses the embedded sandbox without credentials', () => {
    expect(loadLocalConfig({})).toEqual({
      mode: 'sandbox',
      port: 3000,
      sandboxPort: 3001,
      sandbox: {},
      mappingDefaults: {},
      sdkOrigins: []
    })
  })

  it('takes a sandbox seed file from SANDBOX_SEED', () => {
    expect(loadLocalConfig({ SANDBOX_SEED: 'examples/sandbox-seed.json' }).sandbox?.seedFile).toBe(
      'examples/sandbox-seed.json'
    )
  })

  it('takes the sandbox clock and faults from the environment, and rejects bad values by name', () => {
    expect(
      loadLocalConfig({
        SANDBOX_TIME_SCALE: '60',
        SANDBOX_FAULTS: '{"latencyMs": 50, "rates": {"*": {"status503": 0.1}}}'
      }).sandbox
    ).toEqual({ timeScale: 60, faults: { latencyMs: 50, rates: { '*': { status503: 0.1 } } } })
    expect(() => loadLocalConfig({ SANDBOX_TIME_SCALE: 'fast' })).toThrow(
      /SANDBOX_TIME_SCALE must be a positive number/
    )
    expect(() => loadLocalConfig({ SANDBOX_FAULTS: '{latency' })).toThrow(/SANDBOX_FAULTS must be JSON/)
    expect(() => loadLocalConfig({ SANDBOX_FAULTS: '{"rates": {"*": {"status503": 2}}}' })).toThrow(/fraction/)
  })

  it('talks to Qualtrics with both credentials, and takes mapping defaults from the environment', () => {
    expect(
      loadLocalConfig({
        QUALTRICS_API_TOKEN: ' tok ',
        QUALTRICS_DATACENTER: 'fra1',
        QUALTRICS_DIRECTORY_ID: 'POOL_1',
        QUALTRICS_MAILING_LIST_ID: 'CG_1',
        PORT: '4000'
      })
    ).toEqual({
      mode: 'qualtrics',
      port: 4000,
      sandboxPort: 3001,
      apiBaseUrl: undefined,
      settings: { apiToken: 'tok', datacenter: 'fra1' },
      mappingDefaults: { directoryId: 'POOL_1', mailingListId: 'CG_1' },
      sdkOrigins: []
    })
  })

  it('refuses half the credentials', () => {
    expect(() => loadLocalConfig({ QUALTRICS_API_TOKEN: 'tok' })).toThrow(
      /Set both QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER/
    )
  })

  it('refuses a port that is not one', () => {
    expect(() => loadLocalConfig({ PORT: 'eighty' })).toThrow('PORT must be a port number (0–65535), not "eighty"')
    expect(() => loadLocalConfig({ SANDBOX_PORT: '70000' })).toThrow(/SANDBOX_PORT/)
  })

  it('refuses an invalid QUALTRICS_DATACENTER at start-up, saying what a valid one is', () => {
    const env = { QUALTRICS_API_TOKEN: 'tok', QUALTRICS_DATACENTER: 'iad1.evil.example' }
    expect(() => loadLocalConfig(env)).toThrow(
      /^QUALTRICS_DATACENTER: Datacenter ID "iad1\.evil\.example" is not valid: use the ID from Account settings/
    )
    expect(loadLocalConfig({ ...env, QUALTRICS_DATACENTER: 'FRA1' }).settings).toEqual({
      apiToken: 'tok',
      datacenter: 'fra1'
    })
  })
})

describe('presetWarnings', () => {
  const warningsFor = (mappingDefaults: Record<string, unknown>) => {
    const context = createServerContext({ settings: { apiToken: 't', datacenter: 'iad1' }, mappingDefaults })
    return presetWarnings(context.subscriptions(), context.definition)
  }

  it('names each trigger whose action lacks a directory, list or workflow URL, and the variable that sets it', () => {
    // The audience workflow preset needs a workflow URL; the audience sync preset needs nothing (Engage sets it all).
    const workflow = expect.stringMatching(
      /^Warning: "Start a workflow on audience entry or exit" .* needs Workflow URL \(QUALTRICS_WORKFLOW_URL\)/
    )
    expect(warningsFor({})).toEqual([
      expect.stringMatching(/^Warning: "Create or update contact" .* needs Directory ID \(QUALTRICS_DIRECTORY_ID\)/),
      expect.stringMatching(
        /^Warning: "Upsert contact transaction" .* needs Directory ID \(QUALTRICS_DIRECTORY_ID\) and Mailing list ID \(QUALTRICS_MAILING_LIST_ID\)/
      ),
      workflow
    ])
    expect(warningsFor({ directoryId: 'POOL_1' })).toEqual([
      expect.stringMatching(/QUALTRICS_MAILING_LIST_ID/),
      workflow
    ])
    expect(warningsFor({ directoryId: 'POOL_1', mailingListId: 'CG_1' })).toEqual([workflow])
    const workflowUrl = 'https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=w1'
    expect(warningsFor({ directoryId: 'POOL_1', mailingListId: 'CG_1', workflowUrl })).toEqual([])
  })
})
