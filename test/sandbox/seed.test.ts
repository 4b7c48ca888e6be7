import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_SEED, PROFILES, SandboxStore, loadSeedFile, parseSeed } from '../../src/sandbox'

const user = { token: 't', userName: 'u@example.com' }
const admin = { ...user, userId: 'UR_1', brandAdmin: true }
const client = { clientId: 'c-1', clientSecret: 's', userId: 'UR_1', scopes: ['read:directories'] }

describe('the default seed', () => {
  const DIRECTORY = DEFAULT_SEED.directories[0].directoryId

  // A transaction can reach the directory before the person's identify: the first carries the userId (extRef)
  // alone, the second the userId and the email. Two rules, extRef or email, make them one contact.
  it.each(['default', 'strict'] as const)('keeps one contact per user whichever event comes first (%s)', (profile) => {
    const store = new SandboxStore(DEFAULT_SEED, { readings: PROFILES[profile] })
    const first = store.createContact(DIRECTORY, { extRef: 'user-1001' })
    const identify = store.createContact(DIRECTORY, { extRef: 'user-1001', email: 'ada@example.com', firstName: 'Ada' })
    expect(identify).toEqual({ id: first.id, deduplicated: true })
    const byEmail = store.createContact(DIRECTORY, { email: 'ADA@example.com', lastName: 'Lovelace' })
    expect(byEmail).toEqual({ id: first.id, deduplicated: true })
    expect(store.searchContacts(DIRECTORY, [])).toEqual([
      expect.objectContaining({ extRef: 'user-1001', firstName: 'Ada', lastName: 'Lovelace' })
    ])
  })
})

describe('parseSeed', () => {
  it('accepts the default seed and a minimal one', () => {
    expect(parseSeed(JSON.parse(JSON.stringify(DEFAULT_SEED)))).toEqual(DEFAULT_SEED)
    expect(parseSeed({ users: [user] })).toEqual({ users: [user], directories: [], workflows: [], clients: [] })
  })

  it('accepts OAuth clients acting as seeded users, and a brand administrator flag', () => {
    const seed = { users: [admin], directories: [], workflows: [], clients: [{ ...client, tokenLifetimeSeconds: 60 }] }
    expect(parseSeed(seed)).toEqual(seed)
    const issued = new SandboxStore(parseSeed(seed)).oauth.issue({
      clientId: 'c-1',
      clientSecret: 's',
      form: new URLSearchParams({ grant_type: 'client_credentials' })
    })
    expect(issued.expires_in).toBe(60)
  })

  it('builds a store from what it accepts', () => {
    const seed = parseSeed({
      users: [user],
      directories: [
        { directoryId: 'POOL_1', contacts: [{ id: 'CID_1', email: 'a@example.com', embeddedData: { n: 1 } }] }
      ]
    })
    expect(new SandboxStore(seed).getContact('POOL_1', 'CID_1').embeddedData).toEqual({ n: 1 })
  })

  it('accepts up to three deduplication rules, and the one-rule form alongside', () => {
    const rules = [{ email: true }, { externalDataReference: true, phone: true }, { lastName: true, firstName: false }]
    const seed = parseSeed({
      users: [user],
      directories: [
        { directoryId: 'P', deduplicationRules: rules },
        { directoryId: 'Q', deduplicationCriteria: { email: true } }
      ]
    })
    expect(seed.directories[0].deduplicationRules).toEqual(rules)
    expect(seed.directories[1].deduplicationCriteria).toEqual({ email: true })
  })

  it.each([
    ['a non-object', [], 'Sandbox seed: the file must hold a JSON object'],
    ['no users', { users: [] }, 'Sandbox seed: users must list at least one user'],
    ['users that are not a list', { users: user }, 'Sandbox seed: users must be a list'],
    ['a user that is not an object', { users: ['t'] }, 'Sandbox seed: users[0] must be an object'],
    ['a user without a token', { users: [user, { userName: 'x' }] }, 'users[1].token must be a non-empty string'],
    ['a blank user name', { users: [{ token: 't', userName: '  ' }] }, 'users[0].userName must be a non-empty string'],
    ['a repeated token', { users: [user, { ...user, userName: 'v' }] }, 'users[1].token repeats the token'],
    ['a numeric brandId', { users: [{ ...user, brandId: 7 }] }, 'users[0].brandId must be a non-empty string'],
    ['a directory without an id', { users: [user], directories: [{}] }, 'directories[0].directoryId must be'],
    [
      'a repeated directory id',
      { users: [user], directories: [{ directoryId: 'P' }, { directoryId: 'P' }] },
      'directories[1].directoryId repeats P'
    ],
    [
      'a non-boolean isDefault',
      { users: [user], directories: [{ directoryId: 'P', isDefault: 'yes' }] },
      'directories[0].isDefault must be true or false'
    ],
    [
      'an unknown deduplication field',
      { users: [user], directories: [{ directoryId: 'P', deduplicationCriteria: { extRef: true } }] },
      'directories[0].deduplicationCriteria.extRef must be one of externalDataReference'
    ],
    [
      'a non-boolean deduplication flag',
      { users: [user], directories: [{ directoryId: 'P', deduplicationCriteria: { email: 'yes' } }] },
      'directories[0].deduplicationCriteria.email must be one of'
    ],
    [
      'more than three deduplication rules',
      {
        users: [user],
        directories: [
          {
            directoryId: 'P',
            deduplicationRules: [{ email: true }, { phone: true }, { lastName: true }, { firstName: true }]
          }
        ]
      },
      'directories[0].deduplicationRules has 4 rules; Qualtrics allows at most 3'
    ],
    [
      'an unknown field in a deduplication rule',
      { users: [user], directories: [{ directoryId: 'P', deduplicationRules: [{ email: true }, { extRef: true }] }] },
      'directories[0].deduplicationRules[1].extRef must be one of externalDataReference, email, phone'
    ],
    [
      'a deduplication rule with no field set',
      { users: [user], directories: [{ directoryId: 'P', deduplicationRules: [{ email: false }] }] },
      'directories[0].deduplicationRules[0] must set at least one field true'
    ],
    [
      'deduplication rules that are not a list',
      { users: [user], directories: [{ directoryId: 'P', deduplicationRules: { email: true } }] },
      'directories[0].deduplicationRules must be a list'
    ],
    [
      'both forms of deduplication',
      {
        users: [user],
        directories: [
          { directoryId: 'P', deduplicationCriteria: { email: true }, deduplicationRules: [{ phone: true }] }
        ]
      },
      'directories[0] gives both deduplicationCriteria and deduplicationRules'
    ],
    [
      'a mailing list without an id',
      { users: [user], directories: [{ directoryId: 'P', mailingLists: [{ name: 'x' }] }] },
      'directories[0].mailingLists[0].mailingListId must be a non-empty string'
    ],
    [
      'a repeated mailing list id',
      {
        users: [user],
        directories: [{ directoryId: 'P', mailingLists: [{ mailingListId: 'CG' }, { mailingListId: 'CG' }] }]
      },
      'directories[0].mailingLists[1].mailingListId repeats CG'
    ],
    [
      'a contact with a numeric email',
      { users: [user], directories: [{ directoryId: 'P', contacts: [{ email: 5 }] }] },
      'directories[0].contacts[0].email must be a non-empty string'
    ],
    [
      'a contact with an unknown field',
      { users: [user], directories: [{ directoryId: 'P', contacts: [{ emial: 'a@example.com' }] }] },
      'directories[0].contacts[0] is not a valid contact: Unrecognized field "emial".'
    ],
    [
      'a contact with an embedded value over 1024 characters',
      { users: [user], directories: [{ directoryId: 'P', contacts: [{ embeddedData: { x: 'y'.repeat(1025) } }] }] },
      'directories[0].contacts[0] is not a valid contact: Embedded data "x" is over 1024 characters.'
    ],
    [
      'a contact with a non-boolean unsubscribed',
      { users: [user], directories: [{ directoryId: 'P', contacts: [{ unsubscribed: 1 }] }] },
      'directories[0].contacts[0].unsubscribed must be true or false'
    ],
    [
      'a repeated contact id',
      { users: [user], directories: [{ directoryId: 'P', contacts: [{ id: 'CID_1' }, { id: 'CID_1' }] }] },
      'directories[0].contacts[1].id repeats CID_1'
    ],
    [
      'a workflow without a urlTokenId',
      { users: [user], workflows: [{ name: 'w' }] },
      'workflows[0].urlTokenId must be'
    ],
    [
      'a non-boolean brandAdmin',
      { users: [{ ...user, brandAdmin: 'yes' }] },
      'users[0].brandAdmin must be true or false'
    ],
    [
      'two users with one userId',
      { users: [admin, { ...admin, token: 't2' }] },
      'users[1].userId repeats the userId of an earlier user'
    ],
    ['clients that are not a list', { users: [admin], clients: {} }, 'clients must be a list'],
    [
      'a client without an id',
      { users: [admin], clients: [{ ...client, clientId: '' }] },
      'clients[0].clientId must be a non-empty string'
    ],
    ['a repeated client id', { users: [admin], clients: [client, client] }, 'clients[1].clientId repeats c-1'],
    [
      'a client without a secret',
      { users: [admin], clients: [{ ...client, clientSecret: undefined }] },
      'clients[0].clientSecret must be a non-empty string'
    ],
    [
      'a client acting as no seeded user',
      { users: [admin], clients: [{ ...client, userId: 'UR_other' }] },
      'clients[0].userId names no seeded user'
    ],
    [
      'a client without scopes',
      { users: [admin], clients: [{ ...client, scopes: [] }] },
      'clients[0].scopes must list at least one scope'
    ],
    [
      'a client with an unknown scope',
      { users: [admin], clients: [{ ...client, scopes: ['read:directories', 'read:directory'] }] },
      'clients[0].scopes[1] must be one of read:directories'
    ],
    [
      'a client with a token lifetime that is not whole seconds',
      { users: [admin], clients: [{ ...client, tokenLifetimeSeconds: 0.5 }] },
      'clients[0].tokenLifetimeSeconds must be a whole number of seconds, 1 or more'
    ]
  ])('refuses %s, naming the entry', (_name, seed, message) => {
    expect(() => parseSeed(seed)).toThrow(message)
  })
})

describe('loadSeedFile', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-seed-'))
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('loads and checks a seed file', () => {
    const path = join(dir, 'seed.json')
    writeFileSync(path, JSON.stringify({ users: [user], workflows: [{ urlTokenId: 'w-1' }] }))
    expect(loadSeedFile(path)).toEqual({
      users: [user],
      directories: [],
      workflows: [{ urlTokenId: 'w-1' }],
      clients: []
    })
  })

  it('says when the file is not JSON', () => {
    const path = join(dir, 'bad.json')
    writeFileSync(path, '{"users": [')
    expect(() => loadSeedFile(path)).toThrow(`Sandbox seed: ${path} is not valid JSON:`)
  })

  it('reports a shape problem as such, not as bad JSON', () => {
    const path = join(dir, 'shape.json')
    writeFileSync(path, JSON.stringify({ users: [user], directories: [{ directoryId: 'P', contacts: [{ x: 1 }] }] }))
    expect(() => loadSeedFile(path)).toThrow(
      'Sandbox seed: directories[0].contacts[0] is not a valid contact: Unrecognized field "x".'
    )
  })

  it('says when the file cannot be read', () => {
    const path = join(dir, 'missing.json')
    expect(() => loadSeedFile(path)).toThrow(`Sandbox seed: cannot read ${path}:`)
  })
})
