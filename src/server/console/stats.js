/* global document */
// Stats: the events each path brought in (/events, /{action}, /v1/*, /qualtrics/responses), and what the destination
// counted while delivering them (Qualtrics requests by endpoint and status, 429s, batch sizes …), from one context.
import { api, clearShown, el, setLine, showChanged, table } from './dom.js'

const $ = (id) => document.getElementById(id)

const tagsOf = (tags) => (tags.length ? tags.join(', ') : '—')

function pathsTable(received) {
  if (received.length === 0) return el('p', { class: 'muted' }, 'No event received yet.')
  return table(
    'Events received, by path',
    ['Path', 'Events'],
    received.map((r) => [r.path, String(r.events)])
  )
}

function countersTable(counters) {
  if (counters.length === 0) return el('p', { class: 'muted' }, 'Nothing counted yet.')
  return table(
    'Counters',
    ['Counter', 'Tags', 'Value'],
    counters.map((c) => [c.name, tagsOf(c.tags), String(c.value)])
  )
}

function histogramsTable(histograms) {
  if (histograms.length === 0) return el('p', { class: 'muted' }, 'Nothing measured yet.')
  return table(
    'Histograms',
    ['Histogram', 'Tags', 'Count', 'Mean', 'Min', 'Max'],
    histograms.map((h) => [
      h.name,
      tagsOf(h.tags),
      String(h.count),
      (h.sum / h.count).toFixed(1),
      String(h.min),
      String(h.max)
    ])
  )
}

/** Opens or updates the view from GET /console/api/stats. */
export async function openStats(first = true) {
  if (first) setLine($('stats-line'), 'Loading…')
  const answer = await api('GET', '/console/api/stats')
  if (answer.status !== 200) {
    for (const id of ['stats-paths', 'stats-counters', 'stats-histograms']) clearShown($(id))
    setLine($('stats-line'), `Could not load the stats: ${answer.body?.error ?? answer.status}`)
    return
  }
  const { received = [], counters = [], histograms = [], receivedCounter } = answer.body
  const total = received.reduce((sum, r) => sum + r.events, 0)
  showChanged($('stats-paths'), received, pathsTable)
  showChanged(
    $('stats-counters'),
    counters.filter((c) => c.name !== receivedCounter),
    countersTable
  )
  showChanged($('stats-histograms'), histograms, histogramsTable)
  setLine(
    $('stats-line'),
    `${total} event${total === 1 ? '' : 's'} received by ${received.length} path(s) since start.`
  )
}
