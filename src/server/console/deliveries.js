/* global document */
// Event delivery: what the tracking queue received, what each subscription did with it, and every Qualtrics call.
import { api, el, jsonDetails, requestList, show, statusClass, table } from './dom.js'
import { openCallbacks } from './responses.js'

const $ = (id) => document.getElementById(id)

function outcome(delivery) {
  if (delivery.errormessage) return delivery.errormessage
  return delivery.status >= 200 && delivery.status < 300 ? 'delivered' : ''
}

function deliveryTable(deliveries) {
  if (deliveries.length === 0) return el('p', { class: 'muted' }, 'No subscription selected this event.')
  return table(
    'Subscriptions that matched',
    ['Subscription', 'Action', 'Status', 'Retryable', 'Outcome'],
    deliveries.map((d) => [
      d.subscription,
      d.action,
      el('span', { class: `badge ${statusClass(d.status)}` }, d.status),
      d.retryable ? 'yes' : 'no',
      outcome(d)
    ])
  )
}

function eventItem(record) {
  const title = [record.type, record.event].filter(Boolean).join(' · ') || 'event'
  const deliveries = record.deliveries ?? []
  return el(
    'li',
    { class: 'card' },
    el(
      'h3',
      {},
      title,
      ' ',
      el('span', { class: `badge state-${record.state}` }, record.state),
      el('span', { class: 'muted' }, ` ${record.messageId ?? record.id}`)
    ),
    el(
      'p',
      { class: 'meta' },
      `Received ${record.receivedAt} from ${record.source} · ${record.attempts} attempt${record.attempts === 1 ? '' : 's'}`
    ),
    deliveryTable(deliveries),
    deliveries.map((d) =>
      jsonDetails(`${d.action}: mapped payload and answer`, { payload: d.payload, body: d.body, error: d.errormessage })
    ),
    el(
      'details',
      {},
      el('summary', {}, `Qualtrics requests (${(record.requests ?? []).length})`),
      requestList(record.requests)
    )
  )
}

/** One line per durable queue: where it is, what waits, and any unreadable record its start set aside. */
function queueLine(queue) {
  const { count } = queue.unreadable
  const setAside =
    count === 0 ? '' : `; ${count} unreadable record${count === 1 ? '' : 's'} set aside, ${queue.unreadable.where}`
  return el(
    'li',
    { class: count === 0 ? 'muted' : 'warning' },
    `${queue.name} queue in ${queue.folder}: ${queue.pending} waiting${setAside}`
  )
}

async function openQueues() {
  const answer = await api('GET', '/console/api/queues')
  show($('queues-list'), answer.status === 200 ? (answer.body.queues ?? []).map(queueLine) : [])
}

export async function openDeliveries() {
  void openCallbacks()
  void openQueues()
  const status = $('deliveries-status').value
  $('deliveries-line').textContent = 'Loading…'
  const answer = await api('GET', `/console/api/deliveries${status ? `?status=${encodeURIComponent(status)}` : ''}`)
  if (answer.status === 404) {
    show($('deliveries-list'))
    $('deliveries-line').textContent =
      'This server has no delivery log (GET /console/api/deliveries answered 404). Use the Actions tester, or POST /events, to deliver events now.'
    return
  }
  if (answer.status !== 200) {
    $('deliveries-line').textContent = `Could not load deliveries: ${answer.body?.error ?? answer.status}`
    return
  }
  const records = answer.body.deliveries ?? []
  show($('deliveries-list'), records.map(eventItem))
  $('deliveries-line').textContent =
    `${records.length} event${records.length === 1 ? '' : 's'}${status ? ` ${status}` : ''}, newest first.`
}

export function setupDeliveries() {
  $('deliveries-filter').addEventListener('submit', (event) => {
    event.preventDefault()
    void openDeliveries()
  })
}
