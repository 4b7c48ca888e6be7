/** The live check's table as text: item | reading observed | what the destination does with it. */
import type { LiveCheckReport } from './run'

const HEADER = ['item', 'reading observed', 'what the destination does with it']

function markdownRow(cells: string[], widths: number[]): string {
  return `| ${cells.map((cell, i) => cell.replace(/\|/g, '\\|').padEnd(widths[i])).join(' | ')} |`
}

export function renderTable(report: LiveCheckReport): string {
  const lines = report.rows.map((row) => [row.item, row.observed, row.destination])
  const widths = HEADER.map((title, i) => Math.max(title.length, ...lines.map((cells) => cells[i].length)))
  return [
    markdownRow(HEADER, widths),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...lines.map((cells) => markdownRow(cells, widths))
  ].join('\n')
}

/** The lines printed before and after the table: what was checked, and how it ended. */
export function renderSummary(report: LiveCheckReport): { before: string; after: string[] } {
  const target = `${report.origin}, directory ${report.directoryId}${report.mailingListId ? `, mailing list ${report.mailingListId}` : ''}`
  const before = `Live check (${report.mode}, ${report.auth === 'oauth' ? 'OAuth client' : 'API token'}) of ${target}:`
  const writes = report.requests.filter(
    (request) =>
      !['GET'].includes(request.method) &&
      !request.path.includes('/contacts/search') &&
      request.path !== '/oauth2/token'
  )
  const after = [`${report.requests.length} request(s) sent, ${writes.length} of them writes.`]
  if (report.testContact) {
    const { marker, deleted, leftBehind } = report.testContact
    after.push(
      leftBehind.length === 0
        ? `Test contact ${marker}: ${deleted.length} contact(s) deleted, none left.`
        : `Test contact ${marker}: LEFT BEHIND ${leftBehind.join(', ')}; delete them by hand.`
    )
  }
  if (report.error) after.push(`Stopped: ${report.error}`)
  return { before, after }
}
