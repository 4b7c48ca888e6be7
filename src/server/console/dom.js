/* global document, fetch, Node */
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

/** A collapsed block of JSON, opened with Enter or Space on its summary. */
export function jsonDetails(summary, value, open = false) {
  return el('details', { open }, el('summary', {}, summary), el('pre', { class: 'json' }, pretty(value)))
}

/** A table from rows of cells; the first row is the header. */
export function table(caption, header, rows) {
  return el(
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
      rows.map((cells) =>
        el(
          'tr',
          {},
          cells.map((cell) => el('td', {}, cell))
        )
      )
    )
  )
}

/** Every Qualtrics request a call made and its answer (the server has already redacted credentials). */
export function requestList(requests = []) {
  if (requests.length === 0) return el('p', { class: 'muted' }, 'No Qualtrics request was made.')
  return el(
    'ol',
    { class: 'requests' },
    requests.map(({ request = {}, response = {} }) =>
      el(
        'li',
        {},
        el(
          'details',
          {},
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
