/**
 * The steps that write, run only with --write: one test contact is created, read back, updated with part of its
 * embedded data, searched for (exactly and in upper case), then (with --mailing-list) a one-record import is read
 * back through its status. The clean-up (cleanup.ts) deletes it whatever happens here.
 */
import { observePaging } from './read-checks'
import type { CheckContext } from './context'
import {
  carriesMarker,
  contactIdOf,
  getContact,
  directoryPath,
  elementsOf,
  isObject,
  LAG_TRIES,
  MARKER_PREFIX,
  resultOf,
  searchByExtRef,
  testEmail,
  untilSeen
} from './context'
import { runImport } from './import-check'

/** Creates the test contact and checks that the id answered is its own (not a contact a merge rule matched). */
async function createTestContact(ctx: CheckContext): Promise<string> {
  const body = {
    // Every field is this run's own, so that no merge rule can match another contact.
    firstName: `Live check ${ctx.marker.slice(MARKER_PREFIX.length)}`,
    lastName: ctx.marker,
    email: testEmail(ctx.marker),
    extRef: ctx.marker,
    // A made-up phone could match a real contact under a phone rule: sent only when phone is not a flag.
    ...(ctx.flags.includes('phone') ? {} : { phone: `+1555${ctx.marker.slice(-7).replace(/[^0-9]/g, '0')}` }),
    embeddedData: { liveCheckKept: 'kept', liveCheckChanged: 'before' }
  }
  const created = resultOf(await ctx.api.expectOk('POST', `${directoryPath(ctx)}/contacts`, body))
  const id = typeof created.id === 'string' ? created.id : undefined
  if (!id) throw new Error('POST …/contacts answered no result.id')
  const contact = await untilSeen(ctx, () => getContact(ctx, id))
  if (contact && !carriesMarker(contact, ctx.marker)) {
    // Never change a contact that is not the test contact.
    throw new Error(`The create answered ${id}, a contact without the test marker: stopping without changing it`)
  }
  ctx.created.push(id)
  return id
}

async function observeUpdate(ctx: CheckContext, id: string): Promise<void> {
  const path = `${directoryPath(ctx)}/contacts/${encodeURIComponent(id)}`
  await ctx.api.expectOk('PUT', path, { embeddedData: { liveCheckChanged: 'after' } })
  const contact = await getContact(ctx, id)
  const data = contact && isObject(contact.embeddedData) ? contact.embeddedData : undefined
  if (!data) {
    return ctx.findings.set('contactUpdate', 'unknown', 'GET …/contacts/{id} answered no embeddedData after the PUT')
  }
  const kept = data.liveCheckKept === 'kept'
  ctx.findings.set(
    'contactUpdate',
    kept ? 'mergesEmbeddedData' : 'replacesEmbeddedData',
    kept
      ? 'a PUT with one embedded-data key kept the other (merge)'
      : 'a PUT with one embedded-data key removed the other (replace)'
  )
}

/** The field names a search element carries for the external data reference and the phone. */
function fieldNamesOf(element: Record<string, unknown>): [string, string] {
  const short = 'extRef' in element || 'phone' in element
  const long = 'externalDataReference' in element || 'phoneNumber' in element
  if (short && long) return ['both', 'both extRef/phone and externalDataReference/phoneNumber']
  if (short) return ['extRef', 'extRef/phone']
  if (long) return ['externalDataReference', 'externalDataReference/phoneNumber']
  return ['neither', `neither; the element carries ${Object.keys(element).join(', ').slice(0, 120)}`]
}

async function observeSearches(ctx: CheckContext, id: string): Promise<void> {
  const found = await untilSeen(ctx, async () => {
    const result = await searchByExtRef(ctx, ctx.marker)
    return elementsOf(result).some((element) => contactIdOf(element) === id) ? result : undefined
  })
  if (!found) throw new Error(`The test contact ${id} did not show in search within ${LAG_TRIES} tries`)
  const [reading, names] = fieldNamesOf(elementsOf(found)[0])
  ctx.findings.set('searchFieldNames', reading, `the element names ${names}`)
  observePaging(ctx, found, elementsOf(found).length)
  const upper = await searchByExtRef(ctx, ctx.marker.toUpperCase())
  const matched = elementsOf(upper).some((element) => contactIdOf(element) === id)
  ctx.findings.set(
    'searchCase',
    matched ? 'caseInsensitive' : 'exact',
    matched ? 'the extRef in upper case found the contact' : 'the extRef in upper case found nothing'
  )
}

export async function runWriteChecks(ctx: CheckContext): Promise<void> {
  const id = await createTestContact(ctx)
  await observeUpdate(ctx, id)
  await observeSearches(ctx, id)
  if (ctx.options.mailingListId) await runImport(ctx, ctx.options.mailingListId)
}
