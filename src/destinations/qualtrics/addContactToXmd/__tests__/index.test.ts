import { createTestEvent } from '@segment/actions-core'
import { DIRECTORY, ok, qualtrics, settings } from '../../__tests__/__helpers__/qualtrics'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const CONTACTS = `/API/v3/directories/${DIRECTORY}/contacts`

/** A mapping as Segment saved it for this key under its earlier Qualtrics destination (every field spelled out). */
const SAVED_MAPPING = {
  directoryId: DIRECTORY,
  extRef: { '@path': '$.userId' },
  email: {
    '@if': { exists: { '@path': '$.email' }, then: { '@path': '$.email' }, else: { '@path': '$.traits.email' } }
  },
  phone: { '@path': '$.traits.phone' },
  firstName: { '@path': '$.traits.firstName' },
  lastName: { '@path': '$.traits.lastName' },
  language: {
    '@if': { exists: { '@path': '$.traits.language' }, then: { '@path': '$.traits.language' }, else: 'EN' }
  },
  unsubscribed: false,
  embeddedData: { region: { '@path': '$.traits.region' } }
}

const identify = createTestEvent({
  type: 'identify',
  userId: 'user-1',
  traits: { email: 'ada@example.com', phone: '+15550100', firstName: 'Ada', lastName: 'Lovelace', region: 'EMEA' }
})

const run = (action: string) =>
  instance.testDestination.testAction(action, { event: identify, settings, mapping: SAVED_MAPPING })

describe('addContactToXmd (the earlier key of upsertContact, kept for saved mappings)', () => {
  it('runs a saved mapping of the earlier destination exactly as upsertContact runs it', async () => {
    const body = {
      extRef: 'user-1',
      email: 'ada@example.com',
      phone: '+15550100',
      firstName: 'Ada',
      lastName: 'Lovelace',
      language: 'EN',
      unsubscribed: false,
      embeddedData: { region: 'EMEA' }
    }
    const alias = qualtrics()
      .post(CONTACTS, body)
      .reply(200, ok({ id: 'CID_1' }))
    const [aliased] = await run('addContactToXmd')
    expect(alias.isDone()).toBe(true)
    qualtrics()
      .post(CONTACTS, body)
      .reply(200, ok({ id: 'CID_1' }))
    const [original] = await run('upsertContact')
    expect(aliased.status).toBe(200)
    expect(await aliased.request.json()).toEqual(await original.request.json())
  })

  it('is hidden, with no default trigger and no preset, so no event runs it besides upsertContact', () => {
    const definition = instance.testDestination.definition
    const action = definition.actions.addContactToXmd
    expect(action.hidden).toBe(true)
    expect(action.defaultSubscription).toBeUndefined()
    expect(definition.actions.upsertContact.defaultSubscription).toBe('type = "identify"')
    expect((definition.presets ?? []).map((preset) => preset.partnerAction)).not.toContain('addContactToXmd')
    expect(Object.keys(action.fields)).toEqual(Object.keys(definition.actions.upsertContact.fields))
  })
})
