/* global document */
// Actions tester: one action on a sample event (or an array of them, for the batch path) with an editable mapping.
import { api, el, jsonDetails, pretty, requestList, show, statusClass } from './dom.js'

const $ = (id) => document.getElementById(id)
const state = { manifest: undefined, dynamicRoutes: [], examples: {} }

/** Which examples/ event suits which action; other actions get the built-in sample below. */
const EXAMPLE_FOR = {
  upsertContact: 'identify',
  upsertContactTransaction: 'transaction-created',
  triggerXflow: 'survey-completed'
}
const BUILT_IN_SAMPLE = {
  type: 'identify',
  userId: 'console-user-1',
  messageId: 'console-sample-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  traits: { email: 'console.sample@example.com', firstName: 'Sample', lastName: 'Person' }
}

function sampleFor(slug) {
  return state.examples[EXAMPLE_FOR[slug]] ?? BUILT_IN_SAMPLE
}

function defaultMapping(slug) {
  const fields = state.manifest.actions[slug].fields ?? {}
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, field]) => field.default !== undefined)
      .map(([key, field]) => [key, field.default])
  )
}

function parseJson(id, what) {
  try {
    return JSON.parse($(id).value)
  } catch (error) {
    $('tester-status').textContent = `The ${what} is not valid JSON: ${error.message}`
    $(id).focus()
    return undefined
  }
}

/** Picking a choice writes it into the mapping, so the mapping box stays the one source of what is sent. */
function applyChoice(field, value) {
  const mapping = parseJson('tester-mapping', 'mapping')
  if (!mapping) return
  if (value) mapping[field] = value
  else delete mapping[field]
  $('tester-mapping').value = pretty(mapping)
}

async function loadChoices(slug, field, select) {
  const mapping = parseJson('tester-mapping', 'mapping')
  if (!mapping) return
  $('tester-status').textContent = `Loading ${field} choices…`
  const answer = await api('POST', `/${slug}/${field}`, { payload: mapping })
  const choices = answer.body?.choices ?? []
  show(
    select,
    el('option', { value: '' }, '(server default)'),
    choices.map((c) =>
      el('option', { value: c.value, selected: mapping[field] === c.value }, `${c.label} (${c.value})`)
    )
  )
  $('tester-status').textContent =
    answer.status === 200
      ? `${choices.length} ${field} choice(s) loaded.`
      : `Could not load ${field}: ${answer.body?.error}`
}

function dynamicFieldControls(slug) {
  const fields = state.dynamicRoutes.filter((r) => r.slug === slug).map((r) => r.field)
  if (fields.length === 0) return el('p', { class: 'muted' }, 'This action has no fields with choices from Qualtrics.')
  return fields.map((field) => {
    const id = `tester-choice-${field}`
    const select = el('select', { id }, el('option', { value: '' }, '(server default)'))
    select.addEventListener('change', () => applyChoice(field, select.value))
    const load = el('button', { type: 'button' }, `Load ${field} choices`)
    load.addEventListener('click', () => void loadChoices(slug, field, select))
    return el('div', { class: 'choice' }, el('label', { for: id }, field), select, load)
  })
}

function selectAction(slug) {
  $('tester-event').value = pretty(sampleFor(slug))
  $('tester-mapping').value = pretty(defaultMapping(slug))
  show($('tester-choices'), dynamicFieldControls(slug))
  show($('tester-results'))
  $('tester-status').textContent = ''
}

function resultItem(result, index, events) {
  const single = events.length === 1
  const event = events[index] ?? {}
  const ok = result.status >= 200 && result.status < 300
  return el(
    'li',
    { class: 'card' },
    el(
      'h3',
      {},
      `Event ${index + 1} `,
      el('span', { class: `badge ${statusClass(result.status)}` }, result.status),
      el('span', { class: 'muted' }, ` ${event.messageId ?? ''}`)
    ),
    el(
      'p',
      {},
      ok ? 'Delivered.' : `${result.errortype}: ${result.errormessage}`,
      result.retryable ? ' Segment would retry it.' : ''
    ),
    result.body !== undefined ? jsonDetails('Answer', result.body, single) : undefined
  )
}

async function run() {
  const slug = $('tester-action').value
  const payload = parseJson('tester-event', 'event')
  const mapping = payload && parseJson('tester-mapping', 'mapping')
  if (!mapping) return
  $('tester-status').textContent = `Running ${slug}…`
  const answer = await api('POST', `/${slug}`, { payload, mapping })
  if (answer.status !== 200) {
    show($('tester-results'))
    $('tester-status').textContent = `${slug} was not run (${answer.status}): ${answer.body?.error}`
    return
  }
  const { results, requests } = answer.body
  const events = Array.isArray(payload) ? payload : [payload]
  const delivered = results.filter((r) => r.status >= 200 && r.status < 300).length
  show(
    $('tester-results'),
    el(
      'ol',
      { class: 'cards' },
      results.map((r, i) => resultItem(r, i, events))
    ),
    el('h3', {}, `Qualtrics requests (${requests.length})`),
    requestList(requests)
  )
  $('tester-status').textContent = `${slug}: ${delivered} of ${results.length} event(s) delivered${
    Array.isArray(payload) ? ' (batch)' : ''
  }, ${requests.length} Qualtrics request(s).`
}

export async function openTester() {
  if (state.manifest) return
  const [manifest, routes, examples] = await Promise.all([
    api('GET', '/manifest'),
    api('GET', '/'),
    api('GET', '/console/api/examples')
  ])
  state.manifest = manifest.body
  state.examples = examples.body?.examples ?? {}
  state.dynamicRoutes = (routes.body?.routes ?? [])
    .map((route) => /^POST \/([^/]+)\/([^/]+)$/.exec(route))
    .filter(Boolean)
    .map(([, slug, field]) => ({ slug, field }))
  const select = $('tester-action')
  show(
    select,
    Object.entries(state.manifest.actions).map(([slug, action]) =>
      el('option', { value: slug }, `${slug} — ${action.title}`)
    )
  )
  selectAction(select.value)
}

export function setupTester() {
  $('tester-action').addEventListener('change', (event) => selectAction(event.target.value))
  $('tester-reset').addEventListener('click', () => selectAction($('tester-action').value))
  $('tester-batch').addEventListener('click', () => {
    const payload = parseJson('tester-event', 'event')
    if (!payload || Array.isArray(payload)) return
    const second = { ...payload, messageId: `${payload.messageId ?? 'event'}-2` }
    $('tester-event').value = pretty([payload, second])
    $('tester-status').textContent = 'The event is now a batch of two: Run takes the batch path.'
  })
  $('tester-form').addEventListener('submit', (event) => {
    event.preventDefault()
    void run()
  })
}
