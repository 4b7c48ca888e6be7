import { PayloadValidationError } from '@segment/actions-core'
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import { toQualtricsValues } from '../contacts/contact-fields'
import type { TransactionEntry } from '../client'

dayjs.extend(utc)

// ISO 8601 as Segment writes timestamps, also with a space for the T (Qualtrics' own form) and without a time or offset.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|([+-]\d{2}):?(\d{2})?)?$/i
// Epoch seconds (9–10 digits, 1973–2286) or milliseconds (13); a shorter run of digits such as "2024" is ambiguous.
const EPOCH_DIGITS = /^(?:\d{9,10}|\d{13})$/

/**
 * Reads a transaction date strictly: an ISO 8601 date (no offset means UTC), epoch milliseconds as a number, or
 * epoch seconds as a string of 9–10 digits (13 digits: milliseconds), as actions-core's datetime check reads them.
 * `Date` alone would roll "2024-02-30" over into March 1; a date that names a day that does not exist is refused.
 */
function parseTransactionDate(value: string | number): Date | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value) : undefined
  const text = value.trim()
  if (EPOCH_DIGITS.test(text)) return new Date(text.length === 13 ? Number(text) : Number(text) * 1000)
  const iso = ISO_DATE.exec(text)
  if (!iso) return undefined
  const [, year, month, day, hour = '00', minute = '00', second = '00', offsetHours, offsetMinutes = '00'] = iso
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
  const inRange =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    (offsetHours === undefined || (Math.abs(Number(offsetHours)) <= 23 && Number(offsetMinutes) <= 59))
  if (!inRange) return undefined
  const zone = offsetHours === undefined ? 'Z' : `${offsetHours}:${offsetMinutes}`
  // Qualtrics keeps whole seconds, so a fraction is dropped here rather than rounded.
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`)
}

/** Qualtrics reads transaction dates as UTC `YYYY-MM-DD HH:mm:ss`. */
export function formatTransactionDate(value: string | number | undefined): string {
  if (value === undefined || value === '') {
    throw new PayloadValidationError('Date & time of transaction is missing: map it to the event timestamp or a date.')
  }
  const parsed = parseTransactionDate(value)
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw new PayloadValidationError(
      `Date & time of transaction "${String(value).slice(0, 60)}" is not a date: use ISO 8601 (2024-03-01T10:15:30Z) ` +
        'or epoch time'
    )
  }
  return dayjs.utc(parsed).format('YYYY-MM-DD HH:mm:ss')
}

export interface TransactionFields {
  mailingListId: string
  transactionDate?: string | number
  transactionData?: { [k: string]: unknown }
  messageId?: string
  recordMessageId?: boolean
}

/** The transaction-data key that carries the event's messageId, so a transaction sent twice can be recognised. */
export const MESSAGE_ID_DATA_KEY = 'segmentMessageId'

/**
 * Everything about the transaction that can be checked before Qualtrics is asked anything. `position` is the event's
 * place in its request: the key when the Message ID field is not mapped at all (a mapping saved before the field
 * existed), since a key only has to be unique within one request. A mapped but blank Message ID is an error.
 */
export function prepareTransaction(
  payload: TransactionFields,
  position: number
): {
  key: string
  entry: Omit<TransactionEntry, 'contactId'>
} {
  const messageId =
    payload.messageId === undefined || payload.messageId === null ? undefined : String(payload.messageId).trim()
  if (messageId === '') {
    throw new PayloadValidationError('Transaction key (Message ID) is missing: map it to the event messageId.')
  }
  const key = messageId ?? `(no messageId) #${position}`
  const mailingListId = typeof payload.mailingListId === 'string' ? payload.mailingListId.trim() : ''
  if (!mailingListId) throw new PayloadValidationError('Mailing list ID is missing: choose the mailing list (CG_…).')
  return {
    key,
    entry: {
      mailingListId,
      transactionDate: formatTransactionDate(payload.transactionDate),
      data: {
        ...toQualtricsValues(payload.transactionData, 'Transaction data'),
        ...(payload.recordMessageId === false || messageId === undefined ? {} : { [MESSAGE_ID_DATA_KEY]: messageId })
      }
    }
  }
}
