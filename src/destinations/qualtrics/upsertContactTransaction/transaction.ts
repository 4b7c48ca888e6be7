import { PayloadValidationError } from '@segment/actions-core'
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import { toQualtricsValues } from '../contacts/contact-fields'
import { checkPathId } from '../client'
import type { TransactionEntry } from '../client'

dayjs.extend(utc)

// ISO 8601 as Segment writes timestamps, also with a space for the T (Qualtrics' own form) and without a time or offset.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|([+-]\d{2}):?(\d{2})?)?$/i
// Epoch seconds (9–10 digits, 1973–2286) or milliseconds (13), with an optional fraction that is dropped; a shorter
// run of digits such as "2024" is ambiguous, and other lengths are neither.
const EPOCH = /^(\d{9,10}|\d{13})(?:\.\d+)?$/

const LABEL = 'Date & time of transaction'
const ACCEPTED_FORMS =
  'The field transactionDate takes ISO 8601 (2024-03-01T10:15:30Z, 2024-03-01 10:15:30 or 2024-03-01; no offset ' +
  'means UTC), epoch seconds (10 digits, 1709288130) or epoch milliseconds (13 digits, 1709288130000), as text or ' +
  'as a number.'

/**
 * Epoch time by magnitude, the same rule for a number and for its digits as text: 9–10 integer digits are seconds,
 * 13 are milliseconds, so 1709288130 and "1709288130" are the same instant. Qualtrics keeps whole seconds.
 */
function parseEpoch(text: string): Date | undefined {
  const epoch = EPOCH.exec(text)
  if (!epoch) return undefined
  const whole = Number(epoch[1])
  return new Date(epoch[1].length === 13 ? whole : whole * 1000)
}

/**
 * An ISO 8601 date (no offset means UTC), read strictly: `Date` alone would roll "2024-02-30" over into March 1, so a
 * date that names a day or time that does not exist is refused.
 */
function parseIsoDate(text: string): Date | undefined {
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

/** Why a value is not a transaction date, in words that name the value and the forms accepted. */
function notADate(value: string | number, why: string): PayloadValidationError {
  const shown = typeof value === 'number' ? String(value) : `"${value.slice(0, 60)}"`
  return new PayloadValidationError(`${LABEL} ${shown} ${why}. ${ACCEPTED_FORMS}`)
}

/** What is wrong with text that looks like a date or epoch time but was refused; empty when it looks like neither. */
function whyNot(text: string): string {
  if (/^\d+(\.\d+)?$/.test(text)) return ': epoch time needs 9–10 digits (seconds) or 13 (milliseconds)'
  if (ISO_DATE.test(text)) return ': that day or time does not exist'
  return ''
}

/** Qualtrics reads transaction dates as UTC `YYYY-MM-DD HH:mm:ss`. */
export function formatTransactionDate(value: string | number | undefined): string {
  if (value === undefined || value === '') {
    throw new PayloadValidationError(`${LABEL} is missing: map it to the event timestamp. ${ACCEPTED_FORMS}`)
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw notADate(value, 'is not a date')
  // A number is read exactly as its digits written out would be (String(1.7e9) is "1700000000").
  const text = String(value).trim()
  const parsed = /^[\d.]+$/.test(text) ? parseEpoch(text) : parseIsoDate(text)
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw notADate(value, `is not a date${whyNot(text)}`)
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
  const mailingListId = checkPathId(payload.mailingListId, 'Mailing list ID')
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
