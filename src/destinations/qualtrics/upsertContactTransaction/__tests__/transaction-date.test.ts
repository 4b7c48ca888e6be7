import { PayloadValidationError } from '@segment/actions-core'
import { formatTransactionDate } from '../transaction'
import '../../__tests__/__helpers__/harness'

const ACCEPTED = /ISO 8601 .*epoch seconds \(10 digits.*epoch milliseconds \(13 digits/

describe('transaction dates: a number is read by magnitude, exactly as its digits as text', () => {
  it.each([
    ['epoch seconds', 1709288130, '2024-03-01 10:15:30'],
    ['epoch milliseconds', 1709288130000, '2024-03-01 10:15:30'],
    ['9-digit epoch seconds', 999999999, '2001-09-09 01:46:39'],
    ['epoch seconds with a fraction (dropped)', 1709288130.9, '2024-03-01 10:15:30'],
    ['epoch milliseconds with a fraction (dropped)', 1709288130999.5, '2024-03-01 10:15:30']
  ])('%s: the number and the string give the same date', (_what, value, expected) => {
    expect(formatTransactionDate(value)).toBe(expected)
    expect(formatTransactionDate(String(value))).toBe(expected)
  })

  it('the same instant as seconds and as milliseconds, number or text, is one date', () => {
    const forms = [1709288130, '1709288130', 1709288130000, '1709288130000', ' 1709288130 ']
    expect(new Set(forms.map((form) => formatTransactionDate(form)))).toEqual(new Set(['2024-03-01 10:15:30']))
  })

  it.each([
    ['zero', 0],
    ['a year', 2024],
    ['8 digits', 12345678],
    ['11 digits', 17092881300],
    ['12 digits', 170928813000],
    ['14 digits', 17092881300000]
  ])('refuses %s as a number, as it refuses the same digits as text', (_what, value) => {
    for (const form of [value, String(value)]) {
      expect(() => formatTransactionDate(form)).toThrow(PayloadValidationError)
      expect(() => formatTransactionDate(form)).toThrow(
        /epoch time needs 9–10 digits \(seconds\) or 13 \(milliseconds\)/
      )
    }
  })
})

describe('transaction date errors name the field, the value and the accepted forms', () => {
  it.each([
    [1234, 'Date & time of transaction 1234 is not a date: epoch time needs'],
    ['2024-02-30', 'Date & time of transaction "2024-02-30" is not a date: that day or time does not exist'],
    ['next tuesday', 'Date & time of transaction "next tuesday" is not a date.'],
    [Number.NaN, 'Date & time of transaction NaN is not a date.'],
    [-1709288130, 'Date & time of transaction -1709288130 is not a date.'],
    [1e21, 'Date & time of transaction 1e+21 is not a date.']
  ])('%p', (value, start) => {
    let message = ''
    try {
      formatTransactionDate(value)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message.startsWith(start)).toBe(true)
    expect(message).toContain('The field transactionDate takes')
    expect(message).toMatch(ACCEPTED)
  })

  it('a missing date names the field and the forms too', () => {
    expect(() => formatTransactionDate(undefined)).toThrow(
      /^Date & time of transaction is missing: map it to the event timestamp\. The field transactionDate takes ISO 8601/
    )
  })
})
