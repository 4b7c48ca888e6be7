/* global document, history */
// The console's entry point: the view switcher. Each view loads its data when it is opened.
import { openDeliveries, setupDeliveries } from './deliveries.js'
import { openSandbox, setupSandbox } from './sandbox.js'
import { openTester, setupTester } from './tester.js'

const views = {
  deliveries: { setup: setupDeliveries, open: openDeliveries },
  tester: { setup: setupTester, open: openTester },
  sandbox: { setup: setupSandbox, open: openSandbox }
}

function select(name, moveFocus) {
  for (const button of document.querySelectorAll('[data-view]')) {
    const selected = button.dataset.view === name
    if (selected) button.setAttribute('aria-current', 'page')
    else button.removeAttribute('aria-current')
    document.getElementById(`view-${button.dataset.view}`).hidden = !selected
  }
  if (moveFocus) document.getElementById(`h-${name}`).focus()
  if (document.location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`)
  return views[name].open()
}

for (const view of Object.values(views)) view.setup()
for (const button of document.querySelectorAll('[data-view]')) {
  button.addEventListener('click', () => select(button.dataset.view, true))
}
const first = document.location.hash.slice(1)
select(Object.hasOwn(views, first) ? first : 'deliveries', false)
