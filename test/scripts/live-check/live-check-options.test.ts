/** What `npm run live-check` is told: a clear refusal, before any request, for anything missing or not allowed. */
import { tmpdir } from 'node:os'
import { checkBaseUrl, parseLiveCheckOptions, UsageError } from '../../../scripts/live-check/options'
import { runLiveCheckCommand } from '../../../scripts/live-check/live-check'

const TOKEN_ENV = { QUALTRICS_API_TOKEN: 'token-123456' }
const BASE = ['--datacenter', 'iad1', '--directory', 'POOL_abc']

function refused(args: string[], env: NodeJS.ProcessEnv): string {
  try {
    parseLiveCheckOptions(args, env)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error('not refused')
}

describe('live check options', () => {
  it('reads the datacenter, directory and token; reads by default; reports under the temp folder', () => {
    const options = parseLiveCheckOptions(['--datacenter', 'IAD1', '--directory', 'POOL_abc'], TOKEN_ENV)
    expect(options).toMatchObject({
      origin: 'https://iad1.qualtrics.com',
      directoryId: 'POOL_abc',
      write: false,
      credentials: { kind: 'apiToken', apiToken: 'token-123456' }
    })
    expect(options.reportPath.startsWith(tmpdir())).toBe(true)
    expect(options.reportPath).not.toContain('.local')
  })

  it('takes the same settings from the environment, and an OAuth client over the token', () => {
    const env = {
      QUALTRICS_DATACENTER: 'fra1',
      QUALTRICS_DIRECTORY_ID: 'POOL_env',
      QUALTRICS_MAILING_LIST_ID: 'CG_env',
      QUALTRICS_CLIENT_ID: 'client',
      QUALTRICS_CLIENT_SECRET: 'secret',
      ...TOKEN_ENV
    }
    expect(parseLiveCheckOptions(['--write'], env)).toMatchObject({
      origin: 'https://fra1.qualtrics.com',
      directoryId: 'POOL_env',
      mailingListId: 'CG_env',
      write: true,
      credentials: { kind: 'oauth', clientId: 'client', clientSecret: 'secret' }
    })
  })

  it.each([
    [['--directory', 'POOL_abc'], TOKEN_ENV, 'No datacenter'],
    [['--datacenter', 'iad1'], TOKEN_ENV, 'No directory'],
    [BASE, {}, 'No credentials'],
    [BASE, { QUALTRICS_CLIENT_ID: 'client' }, 'QUALTRICS_CLIENT_SECRET is missing'],
    [[...BASE, '--token', 'x'], TOKEN_ENV, '--token is not taken on the command line'],
    [[...BASE, '--client-secret', 'x'], TOKEN_ENV, '--client-secret is not taken on the command line'],
    [['--datacenter', 'iad1.evil.com', '--directory', 'POOL_abc'], TOKEN_ENV, 'Datacenter ID'],
    [['--datacenter', 'iad1', '--directory', '../users'], TOKEN_ENV, 'is not an id'],
    [[...BASE, '--wrte'], TOKEN_ENV, 'Unknown argument "--wrte"'],
    [[...BASE, '--report'], TOKEN_ENV, '--report needs a value']
  ])('refuses %j clearly', (args, env, message) => {
    expect(refused(args, env as NodeJS.ProcessEnv)).toContain(message)
  })

  it.each([
    'http://iad1.qualtrics.com',
    'https://evil.example.com',
    'https://iad1.qualtrics.com.evil.com',
    'https://iad1.qualtrics.com:8443',
    'https://user@iad1.qualtrics.com',
    'https://1.2.3.4',
    'https://iad1.qualtrics.com/API/v3',
    'http://192.168.1.5:3001',
    'not a url'
  ])('refuses the base URL %s', (url) => {
    expect(() => checkBaseUrl(url)).toThrow(UsageError)
  })

  it.each([
    ['https://myorg.iad1.qualtrics.com', 'https://myorg.iad1.qualtrics.com'],
    ['https://FRA1.Qualtrics.com/', 'https://fra1.qualtrics.com'],
    ['http://127.0.0.1:3001', 'http://127.0.0.1:3001'],
    ['http://localhost:3001/', 'http://localhost:3001']
  ])('takes the base URL %s as %s', (url, origin) => {
    expect(checkBaseUrl(url)).toBe(origin)
  })

  it('prints the refusal and the usage, exits 2 and sends nothing', async () => {
    const lines: string[] = []
    const fetch = jest.fn()
    const code = await runLiveCheckCommand(['--datacenter', 'iad1'], {}, (text) => lines.push(text), { fetch })
    expect(code).toBe(2)
    expect(lines[0]).toBe('live-check: No directory: give --directory POOL_… or set QUALTRICS_DIRECTORY_ID')
    expect(lines[1]).toContain('Usage: npm run live-check')
    expect(fetch).not.toHaveBeenCalled()
  })
})
