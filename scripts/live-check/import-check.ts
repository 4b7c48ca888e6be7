/**
 * The one-record transaction contacts import (--write with --mailing-list): an empty transaction batch for it, the
 * import, its status polled until complete, and the removed summary call. The record shares one flagged field with
 * the test contact and differs in the others, so whether it merges shows how several flags combine.
 */
import type { CheckContext } from './context'
import { directoryPath, isObject, resultOf, testEmail } from './context'

export const IMPORT_POLL_MS = 1000
export const IMPORT_POLL_TRIES = 60

/** The transaction batch's `creationDate`: 24-hour UTC without a zone, as Qualtrics documents. */
const batchDate = (date: Date) => date.toISOString().slice(0, 19)

/** The field the record shares with the test contact: the extRef when it is a flag, else the email when that is. */
function sharedField(flags: string[]): 'extRef' | 'email' | undefined {
  if (flags.includes('externalDataReference')) return 'extRef'
  if (flags.includes('email')) return 'email'
  return undefined
}

async function pollStatus(ctx: CheckContext, path: string): Promise<Record<string, unknown> | undefined> {
  for (let tries = 1; tries <= IMPORT_POLL_TRIES; tries++) {
    const status = resultOf(await ctx.api.expectOk('GET', path))
    if (status.status === 'complete' || status.status === 'completed' || status.status === 'failed') return status
    await ctx.sleep(IMPORT_POLL_MS)
  }
  return undefined
}

function countsOf(status: Record<string, unknown>): { added: number; updated: number; failed: number } {
  const contacts = isObject(status.contacts) ? status.contacts : {}
  const count = isObject(contacts.count) ? contacts.count : {}
  const n = (value: unknown) => (typeof value === 'number' ? value : 0)
  return { added: n(count.added), updated: n(count.updated), failed: n(count.failed) }
}

function observeRules(ctx: CheckContext, shared: string | undefined, counts: { added: number; updated: number }) {
  if (!shared) {
    const reason = `neither extRef nor email is a flag (${ctx.flags.join(' + ') || 'none'})`
    return ctx.findings.set('deduplicationRules', 'not observed', `not observed: ${reason}`)
  }
  const outcome = counts.updated > 0 ? 'merged into the test contact' : 'made a new contact'
  const said = `a record sharing only the ${shared} with the test contact ${outcome}`
  if (ctx.flags.length < 2)
    return ctx.findings.set('deduplicationRules', 'oneFlag', `one flag, both readings agree; ${said}`)
  ctx.findings.set(
    'deduplicationRules',
    counts.updated > 0 ? 'oneRulePerFlag' : 'oneRule',
    `${said}: ${counts.updated > 0 ? 'each flag is a rule of its own (OR)' : 'the flags are one rule, all must match (AND)'}`
  )
}

export async function runImport(ctx: CheckContext, mailingListId: string): Promise<void> {
  const batch = resultOf(
    await ctx.api.expectOk('POST', `${directoryPath(ctx)}/transactionbatches`, {
      transactionIds: [],
      creationDate: batchDate(ctx.now())
    })
  )
  if (typeof batch.id !== 'string') throw new Error('POST …/transactionbatches answered no result.id')
  const shared = sharedField(ctx.flags)
  const record = {
    extRef: shared === 'extRef' ? ctx.marker : `${ctx.marker}-import`,
    email: shared === 'email' ? testEmail(ctx.marker) : testEmail(ctx.marker, '-import'),
    transactionData: { liveCheck: 'import' }
  }
  const importsPath = `${directoryPath(ctx)}/mailinglists/${encodeURIComponent(mailingListId)}/transactioncontacts`
  const started = resultOf(
    await ctx.api.expectOk('POST', importsPath, {
      transactionMeta: { batchId: batch.id, fields: ['liveCheck'] },
      contacts: [record]
    })
  )
  if (typeof started.id !== 'string') throw new Error('POST …/transactioncontacts answered no result.id')
  // Whatever the import does, the clean-up looks for a contact it may have added.
  ctx.importAdded = 1
  const status = await pollStatus(ctx, `${importsPath}/${encodeURIComponent(started.id)}`)
  if (!status) {
    const waited = `${(IMPORT_POLL_TRIES * IMPORT_POLL_MS) / 1000} s`
    return ctx.findings.set('importStatus', 'not complete', `the import was not complete after ${waited}`)
  }
  const counts = countsOf(status)
  ctx.importAdded = counts.added
  const invalid = Array.isArray(status.invalidEmails)
  ctx.findings.set(
    'importStatus',
    invalid ? 'lists invalidEmails' : 'no invalidEmails',
    `${String(status.status)}: added ${counts.added}, updated ${counts.updated}, failed ${counts.failed}; ` +
      `invalidEmails ${invalid ? 'listed' : 'absent'} (batch ${batch.id})`
  )
  const summary = await ctx.api.call('GET', `${importsPath}/${encodeURIComponent(started.id)}/summary`)
  ctx.findings.set(
    'importSummary',
    summary.status === 404 ? 'removed' : `answers ${summary.status}`,
    `GET …/summary answered ${summary.status}`
  )
  observeRules(ctx, shared, counts)
}
