/**
 * The clean-up, run whatever happened before it: every contact this run made (by id) and every contact carrying its
 * marker as extRef (by search, for what an import added) is deleted, after a GET shows it carries the marker; then a
 * last search checks nothing is left.
 */
import type { CheckContext } from './context'
import { carriesMarker, contactIdOf, directoryPath, elementsOf, getContact, searchByExtRef, untilSeen } from './context'

export interface CleanupOutcome {
  deleted: string[]
  /** Contacts still found by the marker after the clean-up. */
  leftBehind: string[]
  /** What went wrong on the way (redacted). */
  problems: string[]
}

const markerExtRefs = (ctx: CheckContext) => [ctx.marker, `${ctx.marker}-import`]

async function foundByMarker(ctx: CheckContext): Promise<string[]> {
  const ids: string[] = []
  for (const extRef of markerExtRefs(ctx)) {
    // A page of 100: a run makes at most two contacts, so one page holds every one of them.
    for (const element of elementsOf(await searchByExtRef(ctx, extRef, 100))) {
      const id = contactIdOf(element)
      if (id && carriesMarker(element, ctx.marker)) ids.push(id)
    }
  }
  return ids
}

/** The candidates: the ids made here, and (waiting for the index when an import added one) those found by search. */
async function candidates(ctx: CheckContext): Promise<Set<string>> {
  const ids = new Set(ctx.created)
  const found = await untilSeen(ctx, async () => {
    const seen = await foundByMarker(ctx)
    const extra = seen.filter((id) => !ctx.created.includes(id))
    return extra.length >= ctx.importAdded ? seen : undefined
  })
  for (const id of found ?? (await foundByMarker(ctx))) ids.add(id)
  return ids
}

async function deleteOne(ctx: CheckContext, id: string, outcome: CleanupOutcome): Promise<void> {
  const contact = await getContact(ctx, id)
  // A contact that shows without the marker is not this run's: never deleted (a 404 is one not indexed yet).
  if (contact && !carriesMarker(contact, ctx.marker)) {
    outcome.problems.push(`${id} does not carry the marker; left alone`)
    return
  }
  const path = `${directoryPath(ctx)}/contacts/${encodeURIComponent(id)}`
  const answer = await ctx.api.call('DELETE', path)
  if (answer.status === 200 || answer.status === 404) outcome.deleted.push(id)
  else outcome.problems.push(ctx.api.failure('DELETE', path, answer).message)
}

export async function cleanUp(ctx: CheckContext): Promise<CleanupOutcome> {
  const outcome: CleanupOutcome = { deleted: [], leftBehind: [], problems: [] }
  const note = (error: unknown) => outcome.problems.push(ctx.api.redact((error as Error).message))
  let ids = new Set(ctx.created)
  try {
    ids = await candidates(ctx)
  } catch (error) {
    note(error)
  }
  for (const id of ids) {
    try {
      await deleteOne(ctx, id, outcome)
    } catch (error) {
      note(error)
    }
  }
  try {
    outcome.leftBehind = await foundByMarker(ctx)
  } catch (error) {
    note(error)
    outcome.leftBehind = [...ids].filter((id) => !outcome.deleted.includes(id))
  }
  const left = outcome.leftBehind.length
  ctx.findings.set(
    'cleanup',
    left === 0 && outcome.problems.length === 0 ? 'removed' : 'left behind',
    left === 0
      ? `deleted ${outcome.deleted.length} contact(s) carrying ${ctx.marker}${outcome.problems.length ? `; ${outcome.problems.join('; ')}` : ''}`
      : `still found: ${outcome.leftBehind.join(', ')} (extRef ${ctx.marker}…): delete them by hand`
  )
  return outcome
}
