/* global document */
// Event delivery: what the tracking queue received, what each subscription did with it, and every Qualtrics call.
import { api, clearShown, el, jsonDetails, requestList, setLine, showChanged, statusClass, table } from './dom.js'
import { openCallbacks } from './responses.js'

const $ = (id) => document.getElementById(id)

/** A delivery's outcome: its message (an error, or a note such as "already delivered on …"), else its status. */
function outcome(delivery) {
  if (delivery.errormessage) return delivery.errormessage
  if (delivery.message) return delivery.message
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

/** Who the event is about: its userId, else its anonymousId. */
function personOf(record) {
  if (record.userId) return el('span', { class: 'person' }, 'userId ', el('code', {}, record.userId))
  if (record.anonymousId) return el('span', { class: 'person' }, 'anonymousId ', el('code', {}, record.anonymousId))
  return el('span', { class: 'person muted' }, 'no userId or anonymousId')
}

/** A state the console knows gets its colour; any other (a newer server's) is shown as it is, in grey. */
const KNOWN_STATES = ['queued', 'retrying', 'delivered', 'failed']
const stateBadge = (state) =>
  el('span', { class: `badge ${KNOWN_STATES.includes(state) ? `state-${state}` : 'state-other'}` }, state ?? 'unknown')

function eventItem(record) {
  const title = [record.type, record.event].filter(Boolean).join(' · ') || 'event'
  const deliveries = record.deliveries ?? []
  const attempts = `${record.attempts} attempt${record.attempts === 1 ? '' : 's'}`
  return el(
    'li',
    { class: 'card' },
    el(
      'h3',
      {},
      title,
      ' ',
      stateBadge(record.state),
      el('span', { class: 'muted' }, ` ${record.messageId ?? record.id}`)
    ),
    el(
      'p',
      { class: 'meta' },
      personOf(record),
      ` · received ${record.receivedAt} from ${record.source} · ${attempts}`
    ),
    record.message ? el('p', { class: 'note' }, record.message) : undefined,
    deliveryTable(deliveries),
    deliveries.map((d, i) =>
      jsonDetails(
        `${d.action}: mapped payload and answer`,
        { payload: d.payload, body: d.body, error: d.errormessage },
        false,
        `${record.id}:delivery:${i}`
      )
    ),
    el(
      'details',
      { 'data-key': `${record.id}:requests` },
      el('summary', {}, `Qualtrics requests (${(record.requests ?? []).length})`),
      requestList(record.requests, `${record.id}:request`)
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
  if (answer.status === 200) showChanged($('queues-list'), answer.body.queues ?? [], (queues) => queues.map(queueLine))
  else clearShown($('queues-list'))
}

/** The filter's label ("delivered") for the line under it. */
const filterLabel = () => $('deliveries-status').selectedOptions[0]?.textContent ?? ''

/** A list that could not be loaded is emptied, never left standing as if it were current. */
function failed(line) {
  clearShown($('deliveries-list'))
  setLine($('deliveries-line'), line)
}

async function loadDeliveries(first) {
  const status = $('deliveries-status').value
  if (first) setLine($('deliveries-line'), 'Loading…')
  const answer = await api('GET', `/console/api/deliveries${status ? `?status=${encodeURIComponent(status)}` : ''}`)
  if (answer.status === 404) {
    return failed(
      'This server has no delivery log (GET /console/api/deliveries answered 404). Use the Actions tester, or POST /events, to deliver events now.'
    )
  }
  if (answer.status !== 200) return failed(`Could not load deliveries: ${answer.body?.error ?? answer.status}`)
  const records = answer.body.deliveries ?? []
  showChanged($('deliveries-list'), records, (shown) => shown.map(eventItem))
  const which = status ? ` ${filterLabel()}` : ''
  setLine($('deliveries-line'), `${records.length} event${records.length === 1 ? '' : 's'}${which}, newest first.`)
}

/** Opens the view (`first`) or updates it: the events, the queues and the receiver's callbacks, together. */
export async function openDeliveries(first = true) {
  await Promise.all([loadDeliveries(first), openQueues(), openCallbacks()])
}

/** A filter applies as soon as it is picked (Show applies it again). */
export function setupDeliveries({ refresh }) {
  const apply = () => {
    setLine($('deliveries-line'), 'Loading…')
    void refresh()
  }
  $('deliveries-status').addEventListener('change', apply)
  $('deliveries-filter').addEventListener('submit', (event) => {
    event.preventDefault()
    apply()
  })
}
