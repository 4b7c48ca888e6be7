import { PayloadValidationError } from '@segment/actions-core'
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import { toQualtricsValues } from '../contact-fields'
import type { TransactionEntry } from '../qualtrics-client'

dayjs.extend(utc)

/** Qualtrics reads transaction dates as UTC `YYYY-MM-DD HH:mm:ss`. */
export function formatTransactionDate(value: string | number | undefined): string {
  if (value === undefined || value === '') {
    throw new PayloadValidationError('Date & time of transaction is missing: map it to the event timestamp or a date.')
  }
  // Date rejects out-of-range parts ("2024-13-45") that dayjs would silently roll over into another date.
  const parsed = dayjs.utc(new Date(value))
  if (!parsed.isValid()) {
    throw new PayloadValidationError(`Date & time of transaction "${String(value).slice(0, 60)}" is not a date`)
  }
  return parsed.format('YYYY-MM-DD HH:mm:ss')
}

export interface TransactionFields {
  mailingListId: string
  transactionDate?: string | number
  transactionData?: { [k: string]: unknown }
  messageId: string
  recordMessageId?: boolean
}

/** The transaction-data key that carries the event's messageId, so a transaction sent twice can be recognised. */
export const MESSAGE_ID_DATA_KEY = 'segmentMessageId'

/** Everything about the transaction that can be checked before Qualtrics is asked anything. */
export function prepareTransaction(payload: TransactionFields): {
  key: string
  entry: Omit<TransactionEntry, 'contactId'>
} {
  const key = typeof payload.messageId === 'string' ? payload.messageId.trim() : ''
  if (!key) throw new PayloadValidationError('Transaction key (Message ID) is missing: map it to the event messageId.')
  const mailingListId = typeof payload.mailingListId === 'string' ? payload.mailingListId.trim() : ''
  if (!mailingListId) throw new PayloadValidationError('Mailing list ID is missing: choose the mailing list (CG_…).')
  return {
    key,
    entry: {
      mailingListId,
      transactionDate: formatTransactionDate(payload.transactionDate),
      data: {
        ...toQualtricsValues(payload.transactionData, 'Transaction data'),
        ...(payload.recordMessageId === false ? {} : { [MESSAGE_ID_DATA_KEY]: key })
      }
    }
  }
}
