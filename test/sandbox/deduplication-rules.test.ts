import { SandboxStore } from '../../src/sandbox'
import type { SandboxSeed } from '../../src/sandbox'

const RULES = 'POOL_rules00000001'
const seed: SandboxSeed = {
  users: [{ token: 't', userName: 'u@example.com' }],
  directories: [
    {
      directoryId: RULES,
      // Email alone, or extRef and phone together: Qualtrics tries the rules in order with an OR between them.
      deduplicationRules: [{ email: true }, { externalDataReference: true, phone: true }],
      contacts: [
        { id: 'CID_a', email: 'a@example.com', extRef: 'ref-a', phone: '+1 555 0100' },
        { id: 'CID_b', email: 'b@example.com' },
        { id: 'CID_c', extRef: 'ref-c', phone: '+1 555 0300' }
      ]
    }
  ],
  workflows: []
}

describe('several deduplication rules', () => {
  let store: SandboxStore
  beforeEach(() => {
    store = new SandboxStore(seed)
  })
  const create = (body: object) => store.createContact(RULES, body)

  it('merges on the first rule (email), case-insensitively', () => {
    expect(create({ email: 'A@Example.COM', firstName: 'Ann' })).toEqual({ id: 'CID_a', deduplicated: true })
    expect(store.getContact(RULES, 'CID_a').firstName).toBe('Ann')
  })

  it('merges on the second rule when the first does not match: an OR between rules', () => {
    expect(create({ email: 'new@example.com', extRef: 'REF-C', phone: '+1 555 0300' })).toEqual({
      id: 'CID_c',
      deduplicated: true
    })
  })

  it('tries the rules in order: the first rule that matches wins', () => {
    // Email matches CID_b (rule 1) and extRef+phone match CID_c (rule 2): rule 1 is tried first.
    expect(create({ email: 'b@example.com', extRef: 'ref-c', phone: '+1 555 0300' }).id).toBe('CID_b')
  })

  it('needs every field of a rule to match', () => {
    const created = create({ extRef: 'ref-c', phone: '+1 555 9999' })
    expect(created.deduplicated).toBe(false)
  })

  it('skips a rule whose fields the incoming contact lacks, and still tries the next', () => {
    // No email: rule 1 is skipped, rule 2 matches.
    expect(create({ extRef: 'ref-a', phone: '+1 555 0100' }).id).toBe('CID_a')
    // No phone: rule 2 is skipped too, so a new contact is created although extRef matches.
    expect(create({ extRef: 'ref-a' }).deduplicated).toBe(false)
    expect(store.listDirectories()[0].contactCount).toBe(4)
  })

  it('lists the first rule as deduplicationCriteria, and every rule in the state', () => {
    expect(store.listDirectories()[0].deduplicationCriteria).toEqual({
      externalDataReference: false,
      email: true,
      phone: false,
      firstName: false,
      lastName: false
    })
    expect(store.snapshot().directories[0].deduplicationRules).toEqual([
      { externalDataReference: false, email: true, phone: false, firstName: false, lastName: false },
      { externalDataReference: true, email: false, phone: true, firstName: false, lastName: false }
    ])
  })

  it('treats one rule given as deduplicationCriteria like a one-rule list', () => {
    const legacy = new SandboxStore({
      ...seed,
      directories: [{ directoryId: 'P', deduplicationCriteria: { email: true, phone: false } }]
    })
    const first = legacy.createContact('P', { email: 'x@example.com' })
    expect(legacy.createContact('P', { email: 'X@example.com' })).toEqual({ id: first.id, deduplicated: true })
    expect(legacy.snapshot().directories[0].deduplicationRules).toHaveLength(1)
  })
})
