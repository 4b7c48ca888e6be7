import { createState } from '../..'
import { IMPORT_BODY_BUDGET_BYTES, IMPORT_POLLING, IMPORT_RECORD_LIMIT, readImportStarted, readImportStatus } from '..'
import { chunkImports } from '../../upsertContactTransaction/import-records'
import type { ImportItem } from '../../upsertContactTransaction/import-records'
import '../../__tests__/__helpers__/harness'

const answer = (result: unknown) => ({ result, meta: { httpStatus: '200 - OK', requestId: 'req-1' } })

describe('readImportStatus', () => {
  it('reads a running import, a float or numeric-string percentage included', () => {
    expect(readImportStatus(answer({ status: 'inProgress', percentComplete: 12.5 }))).toEqual({
      state: 'inProgress',
      percentComplete: 12.5,
      requestId: 'req-1'
    })
    expect(readImportStatus(answer({ status: 'inProgress', percentComplete: '40' }))).toMatchObject({
      percentComplete: 40
    })
  })

  it('reads a complete import with its counts and invalid emails', () => {
    const status = readImportStatus(
      answer({
        status: 'Complete',
        percentComplete: 100,
        contacts: { count: { added: 2, updated: 1, failed: 1 } },
        transactions: { count: { created: 3 } },
        invalidEmails: ['x@', 7]
      })
    )
    expect(status).toEqual({
      state: 'complete',
      percentComplete: 100,
      counts: { added: 2, updated: 1, failed: 1 },
      transactionsCreated: 3,
      invalidEmails: ['x@'],
      requestId: 'req-1'
    })
  })

  it('leaves out counts that are not whole numbers', () => {
    const status = readImportStatus(
      answer({ status: 'complete', percentComplete: 100, contacts: { count: { added: '2' } } })
    )
    expect(status).toMatchObject({ state: 'complete', counts: undefined })
  })

  it('reads a failed import, even without a percentage', () => {
    expect(readImportStatus(answer({ status: 'failed' }))).toMatchObject({ state: 'failed' })
  })

  it.each([
    ['no body', undefined, /result is empty/],
    ['a result that is a list', answer([]), /result is a list/],
    ['no status', answer({ percentComplete: 10 }), /status is empty/],
    ['a status that is a number', answer({ status: 3, percentComplete: 10 }), /status is a number/],
    ['no percentage', answer({ status: 'inProgress' }), /percentComplete is empty/],
    ['a percentage past 100', answer({ status: 'inProgress', percentComplete: 140 }), /percentComplete is a number/]
  ])('calls an answer with %s unreadable, saying why', (_what, data, why) => {
    const status = readImportStatus(data)
    expect(status.state).toBe('unreadable')
    expect((status as { why: string }).why).toMatch(why)
  })
})

describe('readImportStarted', () => {
  it('reads the import id and the unprocessed indexes', () => {
    expect(readImportStarted(answer({ id: 'PGR_1', contacts: { unprocessed: [2, 0, 2] } }), 3)).toEqual({
      importId: 'PGR_1',
      unprocessed: [2, 0]
    })
    expect(readImportStarted(answer({ id: 'PGR_1' }), 3)).toEqual({ importId: 'PGR_1', unprocessed: [] })
  })

  it('drops indexes that name no record sent, with a note', () => {
    const started = readImportStarted(answer({ id: 'PGR_1', contacts: { unprocessed: [1, 5, -1, 'x'] } }), 3)
    expect(started.unprocessed).toEqual([1])
    expect(started.note).toMatch(/only 1 of its entries could be read/)
  })

  it('has no import id without one', () => {
    expect(readImportStarted(answer({ id: '' }), 1).importId).toBeUndefined()
    expect(readImportStarted('text', 1).importId).toBeUndefined()
  })
})

describe('chunkImports', () => {
  const item = (n: number, bytes: number, mailingListId = 'CG_1'): ImportItem => ({
    indices: [n],
    directoryId: 'POOL_1',
    mailingListId,
    key: `msg-${n}`,
    record: { email: `p${n}@example.com`, transactionData: { [`key${n % 2}`]: 1 } },
    bytes
  })

  it('keeps one import per directory and mailing list, in batch order', () => {
    const chunks = chunkImports([item(0, 10), item(1, 10, 'CG_2'), item(2, 10)])
    expect(chunks.map((c) => [c.mailingListId, c.items.map((i) => i.key)])).toEqual([
      ['CG_1', ['msg-0', 'msg-2']],
      ['CG_2', ['msg-1']]
    ])
  })

  it('starts a new import before the body budget would be passed', () => {
    const quarter = Math.floor(IMPORT_BODY_BUDGET_BYTES / 4)
    const chunks = chunkImports(Array.from({ length: 5 }, (_, n) => item(n, quarter)))
    expect(chunks.map((c) => c.items.length)).toEqual([3, 2])
  })

  it('starts a new import after 10,000 records', () => {
    const chunks = chunkImports(Array.from({ length: IMPORT_RECORD_LIMIT + 1 }, (_, n) => item(n, 10)))
    expect(chunks.map((c) => c.items.length)).toEqual([IMPORT_RECORD_LIMIT, 1])
  })
})

describe('import polling (an instance option)', () => {
  it('refuses times that are not positive', () => {
    expect(() => createState({ importPolling: { deadlineMs: 0 } })).toThrow(/positive/)
    expect(() => createState({ importPolling: { firstPollMs: Number.NaN } })).toThrow(/positive/)
  })

  it('takes the given times over the defaults: a minute in all, pauses from 0.5 s doubling to 8 s', () => {
    expect(createState().importPolling).toEqual({ deadlineMs: 60_000, firstPollMs: 500, maxPollMs: 8_000 })
    expect(createState({ importPolling: { deadlineMs: 5_000 } }).importPolling).toEqual({
      ...IMPORT_POLLING,
      deadlineMs: 5_000
    })
  })
})
