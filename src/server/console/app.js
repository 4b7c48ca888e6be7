/* global document, history */
// The console's entry point: the view switcher. The open view loads its data when it is opened and, for the live
// views, again every few seconds while the tab is shown (live.js).
import { openDeliveries, setupDeliveries } from './deliveries.js'
import { livePoller } from './live.js'
import { openSandbox, setupSandbox } from './sandbox.js'
import { openStats } from './stats.js'
import { openTester, setupTester } from './tester.js'

const views = {
  deliveries: { setup: setupDeliveries, open: openDeliveries, live: true },
  stats: { open: openStats, live: true },
  tester: { setup: setupTester, open: openTester, live: false },
  sandbox: { setup: setupSandbox, open: openSandbox, live: true }
}

let current = 'deliveries'
let opening = false
/** Each view's `open(first)`: `first` is true for the load that opens the view, false for the live updates. */
const poller = livePoller(() => {
  const first = opening
  opening = false
  return views[current].open(first)
})

function select(name, moveFocus) {
  for (const button of document.querySelectorAll('[data-view]')) {
    const selected = button.dataset.view === name
    if (selected) button.setAttribute('aria-current', 'page')
    else button.removeAttribute('aria-current')
    document.getElementById(`view-${button.dataset.view}`).hidden = !selected
  }
  if (moveFocus) document.getElementById(`h-${name}`).focus()
  if (document.location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`)
  poller.stop()
  current = name
  opening = true
  return views[name].live ? poller.start() : views[name].open(true)
}

for (const view of Object.values(views)) view.setup?.({ refresh: () => poller.now() })
for (const button of document.querySelectorAll('[data-view]')) {
  button.addEventListener('click', () => select(button.dataset.view, true))
}
const first = document.location.hash.slice(1)
select(Object.hasOwn(views, first) ? first : 'deliveries', false)
