import type { ClassicLevel } from 'classic-level'
import { seqOfPendingKey, textOf, unreadableReason } from './records'
import type { RecordSublevel } from './records'

/** Where unreadable records are kept in the store: `unreadable!<sublevel>!<key>`, the value byte for byte. */
export const UNREADABLE_SUBLEVEL = 'unreadable'
/** Beside each kept record, as JSON: where it was, why it could not be read, and when it was set aside. */
const REASONS_SUBLEVEL = 'unreadable-reasons'
/** Where the start-up line and the console send a reader: how to look at, repair or drop what was set aside. */
const UNREADABLE_DOC = 'docs/local-server.md ("Unreadable queue records")'

/** A record set aside: the sublevel and key it had (shown as text), and why it could not be read. */
export interface UnreadableRecord {
  from: RecordSublevel
  key: string
  reason: string
}

export interface UnreadableRecords {
  /** Records kept aside in this store, by this start and earlier ones. */
  count: number
  /** Those this start set aside (an earlier start's are counted, not named again). */
  found: UnreadableRecord[]
  /** Where they are kept and where to read what to do: "kept in <folder> under "unreadable!", see docs/…". */
  where: string
}

/** What opening the store read: the readable records' counts and highest arrival number, and what was set aside. */
export interface StoreCheck {
  pending: number
  history: number
  lastSeq: number
  unreadable: UnreadableRecords
}

type Store = ClassicLevel<string, unknown>
type Bytes = Uint8Array

const SHOWN_KEY_CHARS = 80
/** A key as a person can read it: its text when it is UTF-8, else its bytes in hex. */
function shownKey(key: Bytes): string {
  const text = textOf(key) ?? `0x${Buffer.from(key).toString('hex')}`
  return text.length > SHOWN_KEY_CHARS ? `${text.slice(0, SHOWN_KEY_CHARS)}…` : text
}

const rawSublevel = (db: Store, name: string) =>
  db.sublevel<Bytes, Bytes>(name, { keyEncoding: 'view', valueEncoding: 'view' })

/**
 * Reads every record of the queue once, as bytes, before anything decodes it: counts the readable ones and moves
 * each unreadable one, in one synced write, to `unreadable!` (its key and value unchanged, with the reason beside
 * it) so that it cannot stop the queue and nothing is lost. A later start finds it there, counted but not new.
 */
export async function checkStore(db: Store, folder: string, now = new Date()): Promise<StoreCheck> {
  const where = `kept in ${folder} under "${UNREADABLE_SUBLEVEL}!", see ${UNREADABLE_DOC}`
  const check: StoreCheck = { pending: 0, history: 0, lastSeq: 0, unreadable: { count: 0, found: [], where } }
  const kept = rawSublevel(db, UNREADABLE_SUBLEVEL)
  const reasons = db.sublevel<Bytes, string>(REASONS_SUBLEVEL, { keyEncoding: 'view', valueEncoding: 'utf8' })
  const batch = db.batch()
  for (const from of ['pending', 'history', 'ids'] as const) {
    const records = rawSublevel(db, from)
    for await (const [key, value] of records.iterator()) {
      const reason = unreadableReason(from, key, value)
      const text = textOf(key) ?? ''
      if (from === 'pending') check.lastSeq = Math.max(check.lastSeq, seqOfPendingKey(text))
      if (from === 'history' && /^\d{12}$/.test(text)) check.lastSeq = Math.max(check.lastSeq, Number(text))
      if (reason === undefined) {
        if (from !== 'ids') check[from]++
        continue
      }
      const keptKey = await freeKey(kept, Buffer.concat([Buffer.from(`${from}!`), key]))
      batch.del(key, { sublevel: records })
      batch.put(keptKey, value, { sublevel: kept })
      batch.put(keptKey, JSON.stringify({ from, reason, setAsideAt: now.toISOString() }), { sublevel: reasons })
      check.unreadable.found.push({ from, key: shownKey(key), reason })
    }
  }
  if (check.unreadable.found.length > 0) await batch.write({ sync: true })
  else await batch.close()
  check.unreadable.count = (await kept.keys().all()).length
  return check
}

/** The key itself, or with `#2`, `#3`… when a record set aside earlier holds it: a kept record is never replaced. */
async function freeKey(kept: ReturnType<typeof rawSublevel>, key: Bytes): Promise<Bytes> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? key : Buffer.concat([key, Buffer.from(`#${n}`)])
    if ((await kept.get(candidate)) === undefined) return candidate
  }
}

/** The start-up line about set-aside records, or none when there are none. */
export function unreadableSummary({ count, found, where }: UnreadableRecords): string[] {
  if (count === 0) return []
  if (found.length === 0) {
    return [`  ${count} unreadable record${count === 1 ? '' : 's'} set aside by an earlier start, ${where}`]
  }
  const named = found
    .slice(0, 3)
    .map((record) => `${record.from} ${record.key} (${record.reason})`)
    .join('; ')
  const more = found.length > 3 ? `; and ${found.length - 3} more` : ''
  const earlier = count > found.length ? ` (${count} in all with earlier ones)` : ''
  return [
    `  ${found.length} unreadable record${found.length === 1 ? '' : 's'} set aside: ${named}${more}${earlier}, ${where}`
  ]
}
