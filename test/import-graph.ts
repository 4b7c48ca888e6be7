import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

/** Files by project-relative path, each with the project files it imports (type-only imports count too). */
export type ImportGraph = Map<string, Set<string>>

const SOURCE = /\.(ts|tsx|cts|mts|js|cjs|mjs)$/
const DECLARATION = /\.d\.[cm]?ts$/
/** What a relative specifier may leave out, tried in Node's and TypeScript's order. */
const ENDINGS = ['', '.ts', '.tsx', '.cts', '.mts', '.js', '.cjs', '.mjs', '/index.ts', '/index.js']

export function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path)
    return SOURCE.test(name) && !DECLARATION.test(name) ? [path] : []
  })
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier)
  return ENDINGS.map((ending) => base + ending).find((path) => existsSync(path) && statSync(path).isFile())
}

/**
 * Everything one file imports, export-froms, require()s and import()s, read with the TypeScript compiler's own
 * pre-processor (type-only imports included): relative specifiers resolved to absolute paths (unresolvable ones
 * left out), everything else as written (`node:http`, `@segment/actions-core`).
 */
export function importsOf(file: string): { files: string[]; packages: string[] } {
  const names = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName)
  const files = names
    .filter((name) => name.startsWith('.'))
    .map((name) => resolveRelative(file, name))
    .filter((target): target is string => target !== undefined)
  return { files, packages: names.filter((name) => !name.startsWith('.')) }
}

/**
 * Every file under `folders` (relative to `root`) with the files of those folders it imports (importsOf). Imports
 * of packages and of files outside the folders are left out: a circle needs two project files.
 */
export function importGraph(root: string, folders: string[]): ImportGraph {
  const files = folders.flatMap((folder) => sourceFiles(join(root, folder)))
  const inScope = new Set(files)
  const graph: ImportGraph = new Map()
  for (const file of files) {
    const targets = importsOf(file).files.filter((target) => inScope.has(target))
    graph.set(relative(root, file), new Set(targets.map((target) => relative(root, target))))
  }
  return graph
}

/** The strongly connected parts of the graph with more than one file, or a file importing itself (Tarjan). */
export function circles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (file: string) => {
    index.set(file, index.size)
    low.set(file, index.get(file)!)
    stack.push(file)
    onStack.add(file)
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(file, Math.min(low.get(file)!, low.get(next)!))
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!))
    }
    if (low.get(file) !== index.get(file)) return
    const part: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      part.push(member)
    } while (member !== file)
    if (part.length > 1 || graph.get(file)?.has(file)) found.push(part.sort())
  }
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file)
  return found
}

/** One loop through a circle's files, for a reader to follow: `a.ts → b.ts → a.ts`. */
export function loopThrough(graph: ImportGraph, part: string[]): string {
  const members = new Set(part)
  const start = part[0]
  // Breadth-first from the start's imports back to the start, within the circle's files.
  const cameFrom = new Map<string, string>()
  const queue = [...(graph.get(start) ?? [])].filter((file) => members.has(file))
  queue.forEach((file) => cameFrom.set(file, start))
  while (queue.length > 0 && !cameFrom.has(start)) {
    const file = queue.shift()!
    for (const next of graph.get(file) ?? []) {
      if (members.has(next) && !cameFrom.has(next)) {
        cameFrom.set(next, file)
        queue.push(next)
      }
    }
  }
  const path = [start]
  for (let file = cameFrom.get(start)!; file !== start; file = cameFrom.get(file)!) path.unshift(file)
  return [start, ...path].join(' → ')
}
