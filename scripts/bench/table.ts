/** One table of benchmark figures, printed on the console (padded columns) and in docs/benchmarks.md (markdown). */
export interface Table {
  headers: string[]
  /** Columns whose figures are right-aligned. */
  numeric: boolean[]
  rows: string[][]
}

export function consoleTable(table: Table): string {
  const widths = table.headers.map((header, i) => Math.max(header.length, ...table.rows.map((row) => row[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : table.numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])
      )
      .join('  ')
  const header = line(table.headers)
  return [header, '-'.repeat(header.length), ...table.rows.map(line)].join('\n')
}

/** Prettier aligns the columns when it formats the file. */
export function markdownTable(table: Table): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`
  const rule = `| ${table.numeric.map((right) => (right ? '--:' : '---')).join(' | ')} |`
  return [line(table.headers), rule, ...table.rows.map(line)].join('\n')
}
