/* global document */
// Sandbox: what the embedded Qualtrics look-alike stores, its counters and limits, and its fault settings.
import { api, el, jsonDetails, pretty, setLine, showChanged, table } from './dom.js'

const $ = (id) => document.getElementById(id)

function contactsOf(directories) {
  const rows = directories.flatMap((d) =>
    (d.contacts ?? []).map((c) => [
      c.contactId ?? c.id,
      c.email ?? '',
      c.firstName ?? '',
      c.lastName ?? '',
      c.extRef ?? '',
      d.directoryId
    ])
  )
  if (rows.length === 0) return el('p', { class: 'muted' }, 'No contacts yet.')
  return table('Contacts', ['Contact', 'Email', 'First name', 'Last name', 'External ref', 'Directory'], rows)
}

function transactionsOf(directories) {
  const transactions = directories.flatMap((d) => d.transactions ?? [])
  if (transactions.length === 0) return el('p', { class: 'muted' }, 'No transactions yet.')
  return table(
    'Transactions',
    ['Transaction', 'Contact', 'Mailing list', 'Date', 'Data'],
    transactions.map((t) => [
      t.id ?? t.transactionId,
      t.contactId,
      t.mailingListId,
      t.transactionDate,
      JSON.stringify(t.data ?? {})
    ])
  )
}

function listsOf(directories) {
  const rows = directories.flatMap((d) =>
    (d.mailingLists ?? []).map((l) => [
      l.mailingListId ?? l.id,
      l.name ?? '',
      d.directoryId,
      String(l.contactCount ?? (l.members ?? []).length)
    ])
  )
  return rows.length
    ? table('Mailing lists', ['Mailing list', 'Name', 'Directory', 'Members'], rows)
    : el('p', { class: 'muted' }, 'None.')
}

function runsOf(runs) {
  if (runs.length === 0) return el('p', { class: 'muted' }, 'No workflow runs yet.')
  return table(
    'Workflow runs',
    ['Run', 'Workflow', 'Body'],
    runs.map((r) => [r.runId ?? r.id, r.urlTokenId, JSON.stringify(r.body ?? r.payload ?? {})])
  )
}

function statsOf(stats) {
  const endpoints = Object.entries(stats.byEndpoint ?? {})
  const limits = stats.limits ?? {}
  return [
    el(
      'p',
      {},
      `${stats.requests} request(s), ${stats.rateLimited} answered 429. Limits: ${limits.brandPerMinute} a minute per brand` +
        `${stats.clock?.timeScale && stats.clock.timeScale !== 1 ? `, clock ×${stats.clock.timeScale}` : ''}.`
    ),
    endpoints.length
      ? table(
          'Requests by endpoint',
          ['Endpoint', 'Answers', 'Limit a minute'],
          endpoints.map(([name, byStatus]) => [
            name,
            Object.entries(byStatus)
              .map(([status, n]) => `${status}: ${n}`)
              .join(', '),
            limits.endpointPerMinute?.[name] ?? '—'
          ])
        )
      : undefined,
    jsonDetails('Faults injected so far', stats.faults ?? {}, false, 'faults-injected')
  ]
}

function fillFaultForm(faults) {
  $('fault-latency').value = faults.latencyMs ?? 0
  $('fault-slow-body').value = faults.slowBodyMs ?? 0
  $('fault-rates').value = pretty(faults.rates ?? {})
}

/**
 * Opens the view (`first`: the fault form is filled from the sandbox's settings) or updates it (the form is left as
 * the reader is editing it).
 */
export async function openSandbox(first = true) {
  if (first) setLine($('sandbox-line'), 'Loading…')
  const [state, stats, faults] = await Promise.all([
    api('GET', '/console/api/sandbox/state'),
    api('GET', '/console/api/sandbox/stats'),
    first ? api('GET', '/console/api/sandbox/faults') : undefined
  ])
  if (state.status !== 200) {
    $('sandbox-content').hidden = true
    setLine($('sandbox-line'), state.body?.error ?? `The sandbox answered ${state.status}.`)
    return
  }
  $('sandbox-content').hidden = false
  const directories = state.body.directories ?? []
  showChanged($('sandbox-contacts'), directories, contactsOf)
  showChanged($('sandbox-transactions'), directories, transactionsOf)
  showChanged($('sandbox-lists'), directories, listsOf)
  showChanged($('sandbox-runs'), state.body.workflowRuns ?? [], runsOf)
  if (stats.status === 200) showChanged($('sandbox-stats'), stats.body, statsOf)
  if (faults?.status === 200) fillFaultForm(faults.body)
  const contacts = directories.reduce((n, d) => n + (d.contacts ?? []).length, 0)
  setLine($('sandbox-line'), `Sandbox: ${contacts} contact(s) in ${directories.length} directory(ies).`)
}

async function putFaults(config) {
  const answer = await api('PUT', '/console/api/sandbox/faults', config)
  $('faults-line').textContent =
    answer.status === 200 ? 'Fault settings applied.' : `Not applied (${answer.status}): ${answer.body?.error}`
  if (answer.status === 200) fillFaultForm(answer.body)
}

export function setupSandbox({ refresh }) {
  $('sandbox-refresh').addEventListener('click', () => void refresh())
  $('faults-form').addEventListener('submit', (event) => {
    event.preventDefault()
    let rates
    try {
      rates = JSON.parse($('fault-rates').value || '{}')
    } catch (error) {
      $('faults-line').textContent = `The rates are not valid JSON: ${error.message}`
      $('fault-rates').focus()
      return
    }
    void putFaults({
      latencyMs: Number($('fault-latency').value),
      slowBodyMs: Number($('fault-slow-body').value),
      rates
    })
  })
  $('faults-clear').addEventListener('click', () => void putFaults({}))
}
