/* global document */
// The responses receiver's newest callbacks, under the event delivery: what Qualtrics was answered and why.
import { api, clearShown, el, setLine, showChanged, statusClass, table } from './dom.js'

const $ = (id) => document.getElementById(id)
const SHOWN = 20

function row(callback) {
  const ids = [callback.surveyId, callback.responseId].filter(Boolean).join(' / ')
  return [
    callback.at,
    ids || '(unidentified)',
    callback.userId ?? '',
    callback.outcome,
    el('span', { class: `badge ${statusClass(callback.status)}` }, callback.status),
    callback.reason ?? ''
  ]
}

export async function openCallbacks() {
  const answer = await api('GET', '/console/api/responses')
  if (answer.status !== 200) {
    clearShown($('callbacks-table'))
    setLine($('callbacks-line'), `Could not load the receiver's callbacks: ${answer.body?.error ?? answer.status}`)
    return
  }
  const { enabled, hint, callbacks = [], calls = [] } = answer.body
  if (!enabled) {
    clearShown($('callbacks-table'))
    setLine($('callbacks-line'), hint)
    return
  }
  const delivered = calls.filter((call) => call.status === 'delivered').length
  setLine(
    $('callbacks-line'),
    `${callbacks.length} callback${callbacks.length === 1 ? '' : 's'} received, newest first; ` +
      `${calls.length} Segment call${calls.length === 1 ? '' : 's'} queued, ${delivered} delivered.`
  )
  showChanged($('callbacks-table'), callbacks.slice(0, SHOWN), (shown) =>
    shown.length === 0
      ? el('p', { class: 'muted' }, 'No callback yet.')
      : table(
          'Qualtrics callbacks',
          ['Received', 'Survey / response', 'userId', 'Outcome', 'Answered', 'Reason'],
          shown.map(row)
        )
  )
}
