import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { check } from 'prettier/standalone'
import {
  BENCH_END,
  BENCH_START,
  describeFacts,
  isDirty,
  markdownOptions,
  replaceBenchSection,
  writeBenchSection
} from '../../../scripts/bench/doc'
import { consoleTable, markdownTable } from '../../../scripts/bench/table'
import type { Table } from '../../../scripts/bench/table'

const HISTORY = '## Earlier\n\nHand-written history, kept as it is.\n'
const table: Table = {
  headers: ['action', 'req/1k ev', 'check'],
  numeric: [false, true, false],
  rows: [
    ['upsertContactTransaction', '227', 'ok'],
    ['upsertContact', '1000', 'failed 2×429']
  ]
}

describe('docs/benchmarks.md writer', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bench-doc-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('replaces only the marked section and leaves Prettier nothing to change', async () => {
    const path = join(dir, 'benchmarks.md')
    const before = `# Title\n\nIntro.\n\n${BENCH_START}\n\nold figures\n\n${BENCH_END}\n\n${HISTORY}`
    writeFileSync(path, before)
    await writeBenchSection(path, `## Latest\n\nNew   figures.\n\n${markdownTable(table)}`)
    const after = readFileSync(path, 'utf8')
    expect(after).not.toContain('old figures')
    expect(after).toContain('New figures.')
    expect(after.startsWith('# Title\n\nIntro.\n\n')).toBe(true)
    expect(after.endsWith(HISTORY)).toBe(true)
    expect(after).toContain('| upsertContactTransaction |       227 | ok           |')
    expect(await check(after, markdownOptions())).toBe(true)

    await writeBenchSection(path, '## Latest\n\nOther figures.')
    const again = readFileSync(path, 'utf8')
    expect(again).not.toContain('New figures.')
    expect(again.split(BENCH_START)).toHaveLength(2)
    expect(again.endsWith(HISTORY)).toBe(true)
  })

  it('puts the section after the title when the markers are missing, and refuses a lone marker', () => {
    const document = `# Title\n\n${HISTORY}`
    expect(replaceBenchSection(document, 'figures')).toBe(
      `# Title\n\n${BENCH_START}\n\nfigures\n\n${BENCH_END}\n\n\n${HISTORY}`
    )
    expect(() => replaceBenchSection(`# Title\n\n${BENCH_END}\n`, 'x')).toThrow(/must both be there/)
  })
})

describe('run facts and tables', () => {
  it('counts a tree as dirty for source changes, not for the node_modules link or the written doc', () => {
    expect(isDirty('')).toBe(false)
    expect(isDirty('?? node_modules\n M docs/benchmarks.md\n')).toBe(false)
    expect(isDirty('?? node_modules\n M scripts/bench/bench.ts\n')).toBe(true)
    expect(isDirty('?? scripts/new.ts\n')).toBe(true)
  })

  it('names commit, date and machine', () => {
    const facts = {
      commit: 'abc1234',
      dirty: true,
      date: '2026-11-27 23:50 UTC',
      cpuModel: 'Some CPU',
      cores: 2,
      memoryGb: 8,
      node: 'v22.0.0',
      platform: 'linux/x64'
    }
    expect(describeFacts(facts)).toBe(
      'commit abc1234 (dirty: uncommitted changes), 2026-11-27 23:50 UTC, Some CPU, 2 cores, 8 GB memory, ' +
        'Node v22.0.0, linux/x64'
    )
  })

  it('pads console columns, figures to the right', () => {
    expect(consoleTable(table).split('\n')).toEqual([
      'action                    req/1k ev  check',
      '------------------------------------------',
      'upsertContactTransaction        227  ok',
      'upsertContact                  1000  failed 2×429'
    ])
  })
})
