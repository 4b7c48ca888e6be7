/**
 * `npm run live-check` against the sandbox in both profiles: the table reports each profile's readings, the
 * read-only run sends no write, and the test contact is gone afterwards, even when a step fails.
 */
import { DEFAULT_SEED } from '../../../src/sandbox'
import type { Sandbox } from '../../../src/sandbox'
import { DIRECTORY, MAILING_LIST, OAUTH_ENV, liveCheck, markedContacts, readings, sandboxIn } from './sandbox-run'
import type { StartedSandbox } from './sandbox-run'

const WRITE = ['--write', '--mailing-list', MAILING_LIST]
let started: StartedSandbox | undefined

async function inProfile(profile: 'default' | 'strict', seed = DEFAULT_SEED): Promise<StartedSandbox> {
  started = await sandboxIn(profile, seed)
  return started
}

afterEach(async () => {
  await started?.sandbox.close()
  started = undefined
})

// The endpoints that only read; every other one the sandbox counts is a write.
const READS = ['whoami', 'directories.list', 'contacts.search', 'contacts.get', 'imports.get']
const writesSeen = (sandbox: Sandbox) => Object.keys(sandbox.stats().byEndpoint).filter((name) => !READS.includes(name))

/** A directory whose two flags make one rule (extRef AND email): the import record sharing one of them is new. */
const ONE_AND_RULE_SEED = {
  ...DEFAULT_SEED,
  directories: [{ ...DEFAULT_SEED.directories[0], deduplicationRules: [{ externalDataReference: true, email: true }] }]
}

describe('live check, write mode', () => {
  it('reports the default profile’s readings and removes the test contact', async () => {
    const box = await inProfile('default')
    const { code, report, output } = await liveCheck(box, WRITE)
    expect(report.error).toBeUndefined()
    expect(code).toBe(0)
    expect(readings(report)).toMatchObject({
      whoami: 'answered',
      deduplicationFlags: 'externalDataReference',
      deduplicationRules: 'oneFlag',
      searchPaging: 'nextPage',
      nextPageHost: 'not observed',
      searchFieldNames: 'extRef',
      searchCase: 'caseInsensitive',
      contactUpdate: 'mergesEmbeddedData',
      importStatus: 'lists invalidEmails',
      importSummary: 'removed',
      importDate: 'not observed',
      erasure: 'not observed',
      oauthScopes: 'not observed',
      cleanup: 'removed'
    })
    expect(output).toContain('| Search element field names')
    expect(output).toMatch(/PUT embeddedData: merge or replace +\| a PUT with one embedded-data key kept the other/)
    expect(markedContacts(box.sandbox)).toEqual([])
    expect(report.testContact).toMatchObject({
      marker: 'segment-live-check-abc123def456',
      leftBehind: [],
      problems: []
    })
  })

  it('reports the strict profile’s readings: upstream names, skipToken paging, replacing PUT, OR’d flags', async () => {
    const box = await inProfile('strict')
    const { code, report } = await liveCheck(box, WRITE)
    expect(report.error).toBeUndefined()
    expect(code).toBe(0)
    expect(readings(report)).toMatchObject({
      deduplicationFlags: 'externalDataReference + email',
      deduplicationRules: 'oneRulePerFlag',
      searchPaging: 'skipToken',
      searchFieldNames: 'externalDataReference',
      searchCase: 'caseInsensitive',
      contactUpdate: 'replacesEmbeddedData',
      importStatus: 'lists invalidEmails',
      importSummary: 'removed',
      cleanup: 'removed'
    })
    expect(markedContacts(box.sandbox)).toEqual([])
  })

  it('tells one AND rule from OR’d rules, and deletes the contact the import added', async () => {
    const box = await inProfile('strict', ONE_AND_RULE_SEED)
    const { report } = await liveCheck(box, WRITE)
    expect(readings(report)).toMatchObject({ deduplicationRules: 'oneRule', cleanup: 'removed' })
    expect(report.rows.find((row) => row.key === 'deduplicationRules')?.observed).toContain('made a new contact')
    expect(report.testContact?.deleted).toHaveLength(2)
    expect(markedContacts(box.sandbox)).toEqual([])
  })

  it('without --mailing-list tries no import and says why', async () => {
    const box = await inProfile('default')
    const { report } = await liveCheck(box, ['--write'])
    const importRow = report.rows.find((row) => row.key === 'importStatus')
    expect(importRow?.observed).toBe('not observed: no import without --mailing-list')
    expect(box.sandbox.stats().byEndpoint['imports.create']).toBeUndefined()
    expect(markedContacts(box.sandbox)).toEqual([])
  })
})

describe('live check, read-only', () => {
  it.each(['default', 'strict'] as const)(
    'sends no write in the %s profile and leaves the sandbox as it was',
    async (profile) => {
      const box = await inProfile(profile)
      const before = JSON.stringify(box.sandbox.store.snapshot())
      const { code, report } = await liveCheck(box, ['--mailing-list', MAILING_LIST])
      expect(code).toBe(0)
      expect(writesSeen(box.sandbox)).toEqual([])
      expect(JSON.stringify(box.sandbox.store.snapshot())).toBe(before)
      expect(report.requests.map((request) => request.method)).not.toContain('PUT')
      expect(readings(report).searchPaging).toBe(profile === 'default' ? 'nextPage' : 'skipToken')
      for (const key of ['searchFieldNames', 'contactUpdate', 'searchCase', 'importStatus', 'cleanup']) {
        expect(report.rows.find((row) => row.key === key)?.observed).toBe('not observed: read-only run (add --write)')
      }
      expect(report.testContact).toBeUndefined()
    }
  )
})

describe('live check, someone else’s contact', () => {
  it('stops without changing or deleting a contact the create answered that is not the test contact', async () => {
    const someone = { id: 'CID_someone000001', extRef: 'customer-1', email: 'someone@example.com', firstName: 'Ann' }
    const seed = { ...DEFAULT_SEED, directories: [{ ...DEFAULT_SEED.directories[0], contacts: [someone] }] }
    const box = await inProfile('default', seed)
    // As if a merge rule had matched: the create answers the existing contact's id.
    const fetchAnsweringSomeone: typeof fetch = async (input, init) =>
      String(input).endsWith('/contacts') && init?.method === 'POST'
        ? new Response(JSON.stringify({ result: { id: someone.id } }), { status: 200 })
        : fetch(input, init)
    const lines: string[] = []
    const { runLiveCheckCommand } = await import('../../../scripts/live-check/live-check')
    const code = await runLiveCheckCommand(
      ['--base-url', box.sandbox.url, '--directory', DIRECTORY, '--write', '--report', '-'],
      { QUALTRICS_API_TOKEN: 'sandbox-token' },
      (text) => lines.push(text),
      { fetch: fetchAnsweringSomeone, sleep: async (ms) => box.clock.advance(ms) }
    )
    expect(code).toBe(1)
    expect(lines.join('\n')).toContain(`The create answered ${someone.id}, a contact without the test marker`)
    const stored = box.sandbox.store.snapshot().directories[0].contacts
    expect(stored).toEqual([expect.objectContaining(someone)])
    expect(writesSeen(box.sandbox)).toEqual([])
  })
})

describe('live check, clean-up after a failure', () => {
  it('deletes the test contact when the update fails, and exits 1 naming the failed call', async () => {
    const box = await inProfile('default')
    box.sandbox.setFaults({ rates: { 'contacts.update': { status500: 1 } } })
    const { code, report, output } = await liveCheck(box, WRITE)
    expect(code).toBe(1)
    expect(report.error).toMatch(/^PUT \/directories\/POOL_sandbox0000001\/contacts\/CID_\w+ answered 500/)
    expect(output).toContain('Stopped: PUT')
    expect(report.testContact).toMatchObject({ leftBehind: [], problems: [] })
    expect(report.testContact?.deleted).toHaveLength(1)
    expect(box.sandbox.stats().byEndpoint['contacts.delete']).toBeDefined()
    expect(markedContacts(box.sandbox)).toEqual([])
    expect(readings(report).searchFieldNames).toBe('not observed')
  })

  it('deletes what the import added when polling its status fails', async () => {
    const box = await inProfile('default', ONE_AND_RULE_SEED)
    box.sandbox.setFaults({ rates: { 'imports.get': { status503: 1 } } })
    const { code, report } = await liveCheck(box, WRITE)
    expect(code).toBe(1)
    expect(report.error).toMatch(/transactioncontacts\/\w+ answered 503/)
    expect(markedContacts(box.sandbox)).toEqual([])
  })
})

describe('live check, nextPage host', () => {
  const twoDirectories = {
    ...DEFAULT_SEED,
    directories: [
      ...DEFAULT_SEED.directories,
      { directoryId: 'POOL_sandbox0000002', name: 'Second', deduplicationCriteria: { email: true }, contacts: [] }
    ]
  }

  it.each([
    ['default', 'sameHost', 'the base host (127.0.0.1:'],
    ['strict', 'otherQualtricsHost', 'another Qualtrics host (sandbox-org.iad1.qualtrics.com)']
  ] as const)('%s profile: a listing’s nextPage names %s', async (profile, reading, named) => {
    const box = await inProfile(profile, twoDirectories)
    const { code, report } = await liveCheck(box, [])
    expect(code).toBe(0)
    const row = report.rows.find((r) => r.key === 'nextPageHost')
    expect(row?.reading).toBe(reading)
    expect(row?.observed).toContain(named)
    // The check pages by sending the skipToken back to its own base URL: it never calls the host an answer names.
    expect(report.requests.every((request) => !request.path.includes('qualtrics.com'))).toBe(true)
  })
})

describe('live check, OAuth', () => {
  it('asks for a smaller scope set after invalid_scope; strict: whoami refuses a four-scope token', async () => {
    const box = await inProfile('strict')
    const { code, report, output } = await liveCheck(box, [], OAUTH_ENV)
    expect(code).toBe(0)
    expect(readings(report)).toMatchObject({
      oauthScopes: 'invalid_scope, then a smaller set',
      whoami: 'refused for this OAuth token'
    })
    const text = output + JSON.stringify(report)
    expect(text).not.toContain('sandbox-secret')
    expect(text).not.toContain('sandbox-client')
  })

  it('default profile: whoami answers the OAuth token', async () => {
    const box = await inProfile('default')
    const { report } = await liveCheck(box, [], OAUTH_ENV)
    expect(readings(report).whoami).toBe('answered')
    expect(report.auth).toBe('oauth')
  })
})

describe('live check, secrets', () => {
  it('never prints the API token, even in a failure', async () => {
    const box = await inProfile('default')
    const { output, report } = await liveCheck(box, WRITE, { QUALTRICS_API_TOKEN: 'not-the-token-9f8e7d' })
    expect(report.error).toMatch(/GET \/whoami answered 401/)
    expect(output).not.toContain('not-the-token-9f8e7d')
    expect(markedContacts(box.sandbox)).toEqual([])
    expect(writesSeen(box.sandbox)).toEqual([])
  })

  it('names an unknown directory and writes nothing', async () => {
    const box = await inProfile('default')
    const lines: string[] = []
    const { runLiveCheckCommand } = await import('../../../scripts/live-check/live-check')
    const code = await runLiveCheckCommand(
      ['--base-url', box.sandbox.url, '--directory', 'POOL_other', '--write', '--report', '-'],
      { QUALTRICS_API_TOKEN: 'sandbox-token' },
      (text) => lines.push(text)
    )
    expect(code).toBe(1)
    expect(lines.join('\n')).toContain('The directory POOL_other is not among the 1 directories this account can see')
    expect(writesSeen(box.sandbox)).toEqual([])
    expect(DIRECTORY).not.toBe('POOL_other')
  })
})
