import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { preProcessFile } from 'typescript'

/** A TypeScript file: what it imports (type-only imports and re-exports included), resolved where relative. */
export interface ImportedBy {
  /** Project files, by absolute path. */
  files: string[]
  /** Everything not relative, as written: `node:http`, `@segment/actions-core`. */
  packages: string[]
}

/** Every `.ts` file under `root` with its imports. Reusable for src/ and scripts/ as well as the sandbox. */
export function importGraph(root: string): Map<string, ImportedBy> {
  const graph = new Map<string, ImportedBy>()
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) return readdirSync(path).forEach((name) => visit(join(path, name)))
    if (!path.endsWith('.ts')) return
    const names = preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles.map((f) => f.fileName)
    const files = names
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(path), name))
      .map((base) => [`${base}.ts`, join(base, 'index.ts')].find((file) => existsSync(file)) ?? base)
    graph.set(path, { files: [...new Set(files)], packages: names.filter((name) => !name.startsWith('.')) })
  }
  visit(resolve(root))
  return graph
}

/** The import circles: each group of two or more files that reach each other (Tarjan), or a file importing itself. */
export function importCircles(graph: Map<string, ImportedBy>, base = process.cwd()): string[][] {
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const circles: string[][] = []
  const connect = (file: string): void => {
    order.set(file, order.size)
    low.set(file, order.get(file)!)
    stack.push(file)
    for (const next of graph.get(file)!.files.filter((target) => graph.has(target))) {
      if (!order.has(next)) connect(next)
      if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, low.get(next)!))
    }
    if (low.get(file) !== order.get(file)) return
    const group = stack.splice(stack.indexOf(file))
    if (group.length > 1 || graph.get(file)!.files.includes(file))
      circles.push(group.map((f) => relative(base, f)).sort())
  }
  for (const file of graph.keys()) if (!order.has(file)) connect(file)
  return circles.sort((x, y) => x[0].localeCompare(y[0]))
}
