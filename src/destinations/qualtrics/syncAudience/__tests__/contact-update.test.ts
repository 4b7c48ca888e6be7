import { ok, qualtrics, qualtricsError, settings } from '../../__tests__/__helpers__/qualtrics'
import { AUDIENCE_KEY, DIR, engageIdentify, failure, LIST_CONTACTS, SEARCH } from '../../__tests__/__helpers__/audience'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

// Whether `PUT …/contacts/{id}` merges `embeddedData` key by key or replaces it whole is not documented (research
// notes §16). Recording an exit on the contact must keep its other embedded data under either reading: the contact is
// read, and the whole of its embedded data is sent with the one value changed.

const instance = instanceForEachTest()
const MEMBERSHIP = `segment_${AUDIENCE_KEY}`
const CONTACT = `${DIR}/contacts/CID_1`

const exit = () =>
  instance.testDestination.testAction('syncAudience', {
    event: engageIdentify(false),
    settings,
    mapping: { __segment_internal_sync_mode: 'mirror', membershipOnContact: true },
    useDefaultMappings: true
  })
const lastData = () => instance.testDestination.results.at(-1)?.data as Record<string, unknown>

function removedFromList() {
  qualtrics()
    .post(SEARCH, { filter: { filterType: 'extRef', comparison: 'eq', value: 'user-1' } })
    .query({ pageSize: '100' })
    .reply(200, ok({ elements: [{ id: 'CID_1', extRef: 'user-1' }] }))
  qualtrics().delete(`${LIST_CONTACTS}/CID_1`).reply(200, ok({}))
}
const contactShows = (embeddedData: Record<string, unknown>) =>
  qualtrics()
    .get(CONTACT)
    .reply(200, ok({ contactId: 'CID_1', extRef: 'user-1', embeddedData }))

describe('recording an exit on the contact keeps its other embedded data', () => {
  it('reads the contact and sends its embedded data whole, with the membership changed', async () => {
    removedFromList()
    contactShows({ plan: 'gold', [MEMBERSHIP]: 'true', score: 7 })
    const put = qualtrics()
      .put(CONTACT, { embeddedData: { plan: 'gold', [MEMBERSHIP]: 'false', score: 7 } })
      .reply(200, ok({}))
    await exit()
    expect(put.isDone()).toBe(true)
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_1' })
  })

  it('sends nothing when the contact already shows the membership as "false"', async () => {
    removedFromList()
    contactShows({ plan: 'gold', [MEMBERSHIP]: 'false' })
    await exit()
    expect(lastData()).toMatchObject({ action: 'removed', contactId: 'CID_1' })
  })

  it('a contact that cannot be read yet (404) is not written blind: retryable, so a later try keeps its data', async () => {
    removedFromList()
    qualtrics().get(CONTACT).reply(404, qualtricsError(404, 'Contact not found'))
    const error = await failure(exit())
    expect(error.status).toBe(503)
    expect(error.message).toMatch(/read contact CID_1 .*not written/)
  })
})
