import { createTestEvent, Destination } from '@segment/actions-core'
import type { JSONObject, RequestClient, SegmentEvent } from '@segment/actions-core'
import { createState } from '..'
import { MailingListClient } from '../client'
import { engageIdentify } from './__helpers__/audience'
import { DIRECTORY, MAILING_LIST, ok, qualtrics, settings } from './__helpers__/qualtrics'
import { instanceForEachTest } from './__helpers__/instance'

// An id that becomes a URL path segment (directory, mailing list, contact, import) follows one rule (client/ids.ts):
// "." and ".." survive encodeURIComponent and would move a token-bearing request to another path, so they are
// refused, as they are, percent-encoded (once or twice) or padded, before any request. No interceptor is declared
// where nothing may be sent: a request would be undeclared, and test/setup.ts fails the test for it.
const instance = instanceForEachTest()
const DOTS = ['.', '..', '%2e', '%2e%2e', '%2E%2e', '.%2e', '%252e%252e', ' .. ', '\t.\n']
const BLANKS = ['', '   ']

const transaction = (messageId = 'm1'): Partial<SegmentEvent> => ({
  type: 'track',
  event: 'Transaction Created',
  userId: 'u1',
  messageId,
  timestamp: '2024-03-01T10:00:00.000Z',
  properties: { orderId: 'o-1' },
  context: { traits: { email: 'u1@example.com' } }
})

/** The action's default mappings, which executeBatch does not add by itself. */
const defaults = (slug: string) =>
  Object.fromEntries(
    Object.entries(instance.testDestination.definition.actions[slug].fields).flatMap(([key, field]) =>
      field.default === undefined ? [] : [[key, field.default]]
    )
  )

async function refusal(promise: Promise<unknown>): Promise<Error & { status?: number; code?: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof Error)) throw new Error('expected the call to be refused, and it succeeded')
  return error
}

const KEYS: Record<string, string> = {
  'Directory ID': 'directoryId',
  'Mailing list ID': 'mailingListId',
  'Contact ID': 'contactId'
}

/** The error a bad id gets: final, naming the field, saying why. */
function expectRefused(error: { status?: number; message: string }, field: string, id: string) {
  if (id === '') {
    // An empty required field never reaches the action: actions-core's own validation names it (a 400 to Segment).
    expect(error.message).toBe(`The root value is missing the required field '${KEYS[field]}'.`)
  } else if (id.trim() === '') {
    expect(error.status).toBe(400)
    expect(error.message).toMatch(new RegExp(`^${field} is missing: `))
  } else {
    expect(error.status).toBe(400)
    expect(error.message).toContain(`${field} ${JSON.stringify(id.trim())} is not a valid id: "." and ".."`)
  }
  expect(instance.testDestination.responses).toHaveLength(0)
}

describe('an id mapped from the event that is "." or ".." (in any encoding) or blank is refused, nothing sent', () => {
  it.each([...DOTS, ...BLANKS])('Directory ID %j of upsertContact', async (id) => {
    const run = instance.testDestination.testAction('upsertContact', {
      event: { type: 'identify', userId: 'u1' },
      settings,
      mapping: { directoryId: id },
      useDefaultMappings: true
    })
    expectRefused(await refusal(run), 'Directory ID', id)
  })

  it.each([...DOTS, ...BLANKS])(
    'Directory ID %j of upsertContactTransaction, contact given or looked up',
    async (id) => {
      for (const contact of [{ contactId: 'CID_1' }, {}] as JSONObject[]) {
        const run = instance.testDestination.testAction('upsertContactTransaction', {
          event: transaction(),
          settings,
          mapping: { directoryId: id, mailingListId: MAILING_LIST, ...contact },
          useDefaultMappings: true
        })
        expectRefused(await refusal(run), 'Directory ID', id)
      }
    }
  )

  it.each([...DOTS, ...BLANKS])('Mailing list ID %j of upsertContactTransaction', async (id) => {
    const run = instance.testDestination.testAction('upsertContactTransaction', {
      event: transaction(),
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: id, contactId: 'CID_1' },
      useDefaultMappings: true
    })
    expectRefused(await refusal(run), 'Mailing list ID', id)
  })

  it.each(DOTS)('Contact ID %j of upsertContactTransaction (a blank one means "look the contact up")', async (id) => {
    const run = instance.testDestination.testAction('upsertContactTransaction', {
      event: transaction(),
      settings,
      mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST, contactId: id },
      useDefaultMappings: true
    })
    expectRefused(await refusal(run), 'Contact ID', id)
  })

  it.each([
    ['Mailing list ID', { mailingListId: '..' }],
    ['Mailing list ID', { mailingListId: '%2e%2e' }],
    ['Directory ID', { directoryId: '..' }],
    ['Directory ID', { directoryId: '.%2E' }]
  ])('%s of a bulk import (%j): every event fails alone, before the directory is even read', async (field, ids) => {
    const nodes = (await instance.testDestination.executeBatch('upsertContactTransaction', {
      events: [transaction('m1'), transaction('m2')] as SegmentEvent[],
      settings,
      mapping: {
        ...defaults('upsertContactTransaction'),
        directoryId: DIRECTORY,
        mailingListId: MAILING_LIST,
        bulkImport: true,
        ...ids
      } as JSONObject
    })) as unknown as Array<{ status: number; errormessage: string }>
    expect(nodes.map((node) => node.status)).toEqual([400, 400])
    for (const node of nodes) expect(node.errormessage).toContain(`${field} "`)
    expect(instance.testDestination.responses).toHaveLength(0)
  })
})

describe('an id from a Qualtrics answer that is "." or ".." is never put in a URL', () => {
  it('a contact search answering ".." fails the removal from an audience: nothing is deleted', async () => {
    qualtrics()
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search`)
      .query(true)
      .reply(200, ok({ elements: [{ id: '..', extRef: 'user-1', email: 'ada@example.com' }] }))
    const nodes = await instance.testDestination.executeBatch('syncAudience', {
      events: [engageIdentify(false)],
      settings,
      mapping: defaults('syncAudience') as JSONObject
    })
    expect(nodes).toMatchObject([{ status: 422 }])
    expect(instance.testDestination.responses.map((r) => r.request.method)).toEqual(['POST'])
  })

  it('a deletion whose search answers "%2e%2e" deletes nothing and says so', async () => {
    qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: DIRECTORY }], nextPage: null }))
      .post(`/API/v3/directories/${DIRECTORY}/contacts/search`)
      .query(true)
      .reply(200, ok({ elements: [{ id: '%2e%2e', extRef: 'user-42' }], nextPage: null }))
    const run = new Destination(instance.testDestination.definition).onDelete!(
      createTestEvent({ userId: 'user-42' }),
      settings as JSONObject
    )
    const error = await refusal(run)
    expect(error.status).toBe(422)
    expect(error.message).toMatch(/Nothing was deleted/)
  })

  it('a bulk import answered with import id ".." fails its events for good (422): no status poll is sent', async () => {
    const DIR = `/API/v3/directories/${DIRECTORY}`
    const imports = qualtrics()
      .get('/API/v3/directories')
      .reply(200, ok({ elements: [{ directoryId: DIRECTORY, deduplicationCriteria: { email: true } }] }))
      .post(`${DIR}/transactionbatches`)
      .reply(200, ok({ id: 'BT_batch000001' }))
      .post(`${DIR}/mailinglists/${MAILING_LIST}/transactioncontacts`)
      .reply(200, ok({ id: '..', contacts: { unprocessed: [] } }))
    const nodes = (await instance.testDestination.executeBatch('upsertContactTransaction', {
      // Dated a minute before the test clock's now: an import takes only recent events.
      events: [{ ...transaction('m1'), timestamp: '2024-03-01T11:59:00.000Z' }] as SegmentEvent[],
      settings,
      mapping: {
        ...defaults('upsertContactTransaction'),
        directoryId: DIRECTORY,
        mailingListId: MAILING_LIST,
        bulkImport: true
      } as JSONObject
    })) as unknown as Array<{ status: number; errormessage: string }>
    expect(imports.isDone()).toBe(true)
    expect(nodes).toMatchObject([{ status: 422, errormessage: expect.stringMatching(/without an import id/) }])
    expect(instance.testDestination.responses).toHaveLength(3)
  })
})

describe('every URL builder of the client checks its ids', () => {
  const sender = jest.fn(() => Promise.reject(new Error('no request may be made')))
  const client = new MailingListClient(sender as unknown as RequestClient, settings, createState())
  it.each([
    ['Directory ID', 'listMailingLists', () => client.listMailingLists('..')],
    ['Directory ID', 'searchContacts', () => client.searchContacts('%2e', 'extRef', 'u1')],
    ['Directory ID', 'createTransactionBatch', () => client.createTransactionBatch(' . ')],
    ['Mailing list ID', 'getMailingList', () => client.getMailingList(DIRECTORY, '..')],
    ['Mailing list ID', 'addToMailingList', () => client.addToMailingList(DIRECTORY, '%2E%2E', { email: 'a@b.co' })],
    ['Mailing list ID', 'importStatus', () => client.importStatus(DIRECTORY, '..', 'PGR_1')],
    ['Contact ID', 'deleteContact', () => client.deleteContact(DIRECTORY, '..')],
    ['Contact ID', 'getContact', () => client.getContact(DIRECTORY, '.')],
    ['Contact ID', 'updateEmbeddedData', () => client.updateEmbeddedData(DIRECTORY, '.', { a: 'b' })],
    ['Contact ID', 'removeFromMailingList', () => client.removeFromMailingList(DIRECTORY, MAILING_LIST, '%252E%252E')],
    ['Import ID', 'importStatus', () => client.importStatus(DIRECTORY, MAILING_LIST, '..')]
  ])('%s in %s', async (field, _call, call) => {
    const error = await refusal(call())
    expect(error.status).toBe(400)
    expect(error.message).toMatch(new RegExp(`^${field} ".*" is not a valid id`))
    expect(sender).not.toHaveBeenCalled()
  })
})
