/**
 * What every bench figure is printed with (commit, date, machine), and the writer of docs/benchmarks.md: it replaces
 * only the section between the bench markers, keeps the hand-written history around it, and formats with Prettier.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import * as markdownPlugin from 'prettier/plugins/markdown'
import { format } from 'prettier/standalone'

export const BENCH_START = '<!-- bench:start -->'
export const BENCH_END = '<!-- bench:end -->'
export const REPO_ROOT = join(__dirname, '..', '..')
export const BENCH_DOC = join(REPO_ROOT, 'docs', 'benchmarks.md')

/** The markers around a section a script writes: `npm run bench`'s own, or another script's (profiles.ts). */
export interface Markers {
  start: string
  end: string
}
const BENCH_MARKERS: Markers = { start: BENCH_START, end: BENCH_END }

export interface RunFacts {
  commit: string
  dirty: boolean
  date: string
  cpuModel: string
  cores: number
  memoryGb: number
  node: string
  platform: string
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim()

/** Changes to the files the figures come from: the node_modules link and the file the bench writes do not count. */
export function isDirty(porcelain: string): boolean {
  return porcelain
    .split('\n')
    .map((line) => line.slice(3).trim())
    .some((path) => path !== '' && !/^node_modules\/?$/.test(path) && path !== 'docs/benchmarks.md')
}

export function runFacts(now = new Date()): RunFacts {
  const cpuList = cpus()
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: isDirty(git('status', '--porcelain')),
    date: `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown CPU',
    cores: cpuList.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}/${process.arch}`
  }
}

export function describeFacts(facts: RunFacts): string {
  return (
    `commit ${facts.commit}${facts.dirty ? ' (dirty: uncommitted changes)' : ''}, ${facts.date}, ` +
    `${facts.cpuModel}, ${facts.cores} cores, ${facts.memoryGb} GB memory, Node ${facts.node}, ${facts.platform}`
  )
}

/**
 * `document` with the text between the markers replaced by `section`. Without markers the section goes right after
 * the first heading, so the hand-written text stays below it.
 */
export function replaceBenchSection(document: string, section: string, markers: Markers = BENCH_MARKERS): string {
  const { start: BENCH_START, end: BENCH_END } = markers
  const block = `${BENCH_START}\n\n${section.trim()}\n\n${BENCH_END}`
  const start = document.indexOf(BENCH_START)
  const end = document.indexOf(BENCH_END)
  if (start >= 0 && end > start) return document.slice(0, start) + block + document.slice(end + BENCH_END.length)
  if (start >= 0 || end >= 0) throw new Error(`${BENCH_START} and ${BENCH_END} must both be there, in that order`)
  const heading = document.match(/^# .*$/m)
  if (!heading || heading.index === undefined) return `${block}\n\n${document}`
  const after = heading.index + heading[0].length
  return `${document.slice(0, after)}\n\n${block}\n${document.slice(after)}`
}

/** The repository's Prettier settings, for markdown (the standalone build: it also runs inside jest). */
export function markdownOptions() {
  const settings = JSON.parse(readFileSync(join(REPO_ROOT, '.prettierrc.json'), 'utf8')) as Record<string, unknown>
  return { ...settings, parser: 'markdown', plugins: [markdownPlugin] }
}

/** Formats markdown with the repository's Prettier settings, wherever the file lives. */
export function formatMarkdown(text: string): Promise<string> {
  return format(text, markdownOptions())
}

export async function writeBenchSection(path: string, section: string, markers?: Markers): Promise<void> {
  const document = readFileSync(path, 'utf8')
  writeFileSync(path, await formatMarkdown(replaceBenchSection(document, section, markers)))
}
