/* global document, fetch, Node, CSS */
// Small DOM and HTTP helpers shared by the console's views. Text is always set as text, never as HTML.

/** Makes an element: el('td', { class: 'num' }, 'text', childElement). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    node.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue
    node.append(child instanceof Node ? child : String(child))
  }
  return node
}

/** Calls this server; answers { status, body } whatever the status, or status 0 when the call itself failed. */
export async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } }
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  try {
    const response = await fetch(path, init)
    const text = await response.text()
    let parsed
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = { error: text }
    }
    return { status: response.status, body: parsed }
  } catch (error) {
    return { status: 0, body: { error: `The server did not answer: ${error.message}` } }
  }
}

export function pretty(value) {
  return JSON.stringify(value, null, 2)
}

/**
 * A collapsed block of JSON, opened with Enter or Space on its summary. `key` names it among its view's details, so
 * that one the reader opened stays open when a live update redraws the view (showChanged).
 */
export function jsonDetails(summary, value, open = false, key = undefined) {
  return el(
    'details',
    { open, 'data-key': key },
    el('summary', {}, summary),
    el('pre', { class: 'json' }, pretty(value))
  )
}

/** A cell longer than this (an error message, a URL, JSON) takes the room left in its row and breaks anywhere. */
const LONG_CELL = 40

/**
 * A table from a header and rows of cells, in a box that scrolls sideways should it still be too wide. Each cell
 * carries its header (data-label) for phones, where a row shows as "Header: value" lines (tables.css).
 */
export function table(caption, header, rows) {
  const cell = (value, i) =>
    el('td', { 'data-label': header[i], class: typeof value === 'string' && value.length > LONG_CELL && 'long' }, value)
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      {},
      el('caption', { class: 'visually-hidden' }, caption),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          header.map((name) => el('th', { scope: 'col' }, name))
        )
      ),
      el(
        'tbody',
        {},
        rows.map((cells) => el('tr', {}, cells.map(cell)))
      )
    )
  )
}

/** Every Qualtrics request a call made and its answer (the server has already redacted credentials). */
export function requestList(requests = [], key = undefined) {
  if (requests.length === 0) return el('p', { class: 'muted' }, 'No Qualtrics request was made.')
  return el(
    'ol',
    { class: 'requests' },
    requests.map(({ request = {}, response = {} }, i) =>
      el(
        'li',
        {},
        el(
          'details',
          { 'data-key': key && `${key}:${i}` },
          el(
            'summary',
            {},
            el('span', { class: `badge ${statusClass(response.status)}` }, response.status ?? '—'),
            ` ${request.method ?? ''} ${request.url ?? ''}`
          ),
          el('h5', {}, 'Request headers'),
          el('pre', { class: 'json' }, pretty(request.headers ?? {})),
          el('h5', {}, 'Request body'),
          el('pre', { class: 'json' }, pretty(request.body ?? null)),
          el('h5', {}, 'Response body'),
          el('pre', { class: 'json' }, pretty(response.body ?? null))
        )
      )
    )
  )
}

export function statusClass(status) {
  if (typeof status !== 'number' || status === 0) return 'bad'
  if (status >= 200 && status < 300) return 'ok'
  return status === 429 || status >= 500 ? 'retry' : 'bad'
}

/** Replaces a container's content. */
export function show(container, ...children) {
  container.replaceChildren(...children.flat().filter((child) => child !== undefined && child !== null))
}

/** What each live container last drew, so that an update with the same data leaves the page as it is. */
const drawn = new WeakMap()

/**
 * For live updates: redraws `container` from `data` only when the data changed since its last drawing, keeping open
 * the details the reader had open (by data-key) and the focus on the summary that had it. Answers whether it redrew.
 */
export function showChanged(container, data, draw) {
  const json = JSON.stringify(data)
  if (drawn.get(container) === json) return false
  const open = new Set([...container.querySelectorAll('details[open][data-key]')].map((d) => d.dataset.key))
  const focused = container.contains(document.activeElement) ? document.activeElement : undefined
  const focusedKey = focused?.closest('details[data-key]')?.dataset.key
  show(container, draw(data))
  for (const details of container.querySelectorAll('details[data-key]')) {
    if (open.has(details.dataset.key)) details.open = true
  }
  const again = focusedKey && container.querySelector(`details[data-key="${CSS.escape(focusedKey)}"] > summary`)
  if (again) again.focus()
  drawn.set(container, json)
  return true
}

/** Empties a live container (its data could not be loaded): the next answer draws it again. */
export function clearShown(container) {
  show(container)
  drawn.delete(container)
}

/** Sets a line's text only when it changes: a live region announces every change to screen readers. */
export function setLine(element, text) {
  if (element.textContent !== text) element.textContent = text
}
