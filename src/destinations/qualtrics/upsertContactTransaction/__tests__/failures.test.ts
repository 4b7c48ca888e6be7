import { formatTransactionDate } from '../transaction'
import {
  DIRECTORY,
  ERROR_STATUSES,
  isRetryableStatus,
  MAILING_LIST,
  qualtrics,
  qualtricsError,
  settings
} from '../../__tests__/__helpers__/qualtrics'
import { DIR, SEARCH, TRANSACTIONS } from '../../__tests__/__helpers__/transactions'
import { search, transactionActionOn, transactionEvent } from '../../__tests__/__helpers__/transaction-event'
import { instanceForEachTest } from '../../__tests__/__helpers__/instance'

const instance = instanceForEachTest()
const run = transactionActionOn(instance)

// The action's own describe, as in adding-transactions.test.ts: the tests keep their full names.
describe('upsertContactTransaction', () => {
  describe('bad input sends nothing', () => {
    it('an unparsable date', async () => {
      await expect(run(transactionEvent(), { transactionDate: 'next tuesday' })).rejects.toThrow(
        'Date & time of transaction must be a valid date-like string'
      )
    })

    it.each([
      '2024-13-45T99:00:00Z',
      'not a date',
      '',
      // Days that do not exist: Date would roll them over into March.
      '2024-02-30T10:00:00Z',
      '2024-02-31',
      '2023-02-29',
      '2024-04-31T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:00+24:00',
      // Too short to be epoch time, and not a date either.
      '2024',
      'Fri, 01 Mar 2024 10:00:00 GMT'
    ])('formatTransactionDate rejects %p', (value) => {
      expect(() => formatTransactionDate(value)).toThrow(/Date & time of transaction .*is (missing|not a date)/)
    })

    it('an existing-looking but impossible date is refused through the action, not sent as another day', async () => {
      await expect(run(transactionEvent(), { transactionDate: '2024-02-30T10:00:00Z' })).rejects.toThrow(
        'Date & time of transaction "2024-02-30T10:00:00Z" is not a date'
      )
    })

    it.each([
      ['2024-03-01T00:30:00-05:00', '2024-03-01 05:30:00'],
      ['2024-03-01T10:15:30.999+0530', '2024-03-01 04:45:30'],
      ['2024-02-29', '2024-02-29 00:00:00'],
      ['2024-03-01 10:00:00', '2024-03-01 10:00:00'],
      ['2024-03-01t10:00z', '2024-03-01 10:00:00'],
      ['1709287200', '2024-03-01 10:00:00'],
      ['1709287200000', '2024-03-01 10:00:00'],
      [1709287200000, '2024-03-01 10:00:00'],
      [1709287200, '2024-03-01 10:00:00']
    ])('formatTransactionDate reads %p as UTC %p', (value, expected) => {
      expect(formatTransactionDate(value)).toBe(expected)
    })

    it('a missing mailing list', async () => {
      await expect(run(transactionEvent(), { mailingListId: undefined })).rejects.toThrow(
        "missing the required field 'mailingListId'"
      )
    })

    it('a missing extRef (no userId and no anonymousId)', async () => {
      await expect(run(transactionEvent({ userId: null, anonymousId: null }))).rejects.toThrow(
        "missing the required field 'extRef'"
      )
    })

    it('a blank message id (mapped, but to nothing but spaces)', async () => {
      await expect(run(transactionEvent(), { messageId: '   ' })).rejects.toThrow(
        'Transaction key (Message ID) is missing'
      )
    })

    it('an invalid datacenter', async () => {
      await expect(
        instance.testDestination.testAction('upsertContactTransaction', {
          event: transactionEvent(),
          settings: { ...settings, datacenter: 'iad1:443' },
          mapping: { directoryId: DIRECTORY, mailingListId: MAILING_LIST },
          useDefaultMappings: true
        })
      ).rejects.toThrow(/Datacenter ID/)
    })

    it('an oversized embedded-data value for a contact to create', async () => {
      await expect(run(transactionEvent(), { embeddedData: { note: 'v'.repeat(1025) } })).rejects.toThrow(
        /Qualtrics allows 1024/
      )
    })
  })

  describe('errors from Qualtrics', () => {
    describe.each([
      ['search', () => qualtrics().post(SEARCH)],
      ['transactions', () => qualtrics().post(TRANSACTIONS)]
    ])('on %s', (step, interceptor) => {
      it.each(ERROR_STATUSES)('$status', async ({ status, expected, retryable, text }) => {
        interceptor().reply(status, qualtricsError(status, 'bad thing'))
        const error = await run(transactionEvent(), step === 'transactions' ? { contactId: 'CID_1' } : {}).catch(
          (e) => e
        )
        expect(error).toMatchObject(expected)
        expect(error.message).toMatch(text)
        expect(isRetryableStatus(error.status)).toBe(retryable)
      })
    })

    it.each(ERROR_STATUSES)('on contact create: $status', async ({ status, expected, retryable }) => {
      search('extRef', 'user-1', [])
      search('email', 'ada@example.com', [])
      search('phone', '+15550100', [])
      qualtrics().post(`${DIR}/contacts`).reply(status, qualtricsError(status, 'bad thing'))
      const error = await run().catch((e) => e)
      expect(error).toMatchObject(expected)
      expect(isRetryableStatus(error.status)).toBe(retryable)
    })
  })
})
