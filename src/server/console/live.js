/* global document, setTimeout, clearTimeout */
// Live updates: the open view reloads itself every LIVE_INTERVAL_MS while the tab is shown. One load at a time: the
// next is planned only when the last has answered, so a slow server never gets a pile of requests.

export const LIVE_INTERVAL_MS = 3000

/**
 * Calls `load` now, then LIVE_INTERVAL_MS after each answer, from `start` until `stop`; not while the tab is hidden
 * (and at once when it is shown again). `now` asks for a load at once (a filter submitted): after the one under way,
 * if any.
 */
export function livePoller(load, intervalMs = LIVE_INTERVAL_MS) {
  let running = false
  let loading = false
  let again = false
  let timer

  /** Where the updates stand, on <body data-live>: off, loading, waiting (for the next) or paused (tab hidden). */
  const mark = (stage) => {
    document.body.dataset.live = stage
  }
  const cancel = () => {
    clearTimeout(timer)
    timer = undefined
  }
  const plan = () => {
    cancel()
    if (!running) mark('off')
    else if (document.visibilityState !== 'visible') mark('paused')
    else {
      timer = setTimeout(tick, intervalMs)
      mark('waiting')
    }
  }
  async function tick() {
    cancel()
    if (loading) {
      again = true
      return
    }
    loading = true
    mark('loading')
    try {
      await load()
    } finally {
      loading = false
    }
    if (again && running) {
      again = false
      return tick()
    }
    plan()
  }

  document.addEventListener('visibilitychange', () => {
    if (!running) return
    if (document.visibilityState !== 'visible') {
      cancel()
      if (!loading) mark('paused')
    } else if (!loading) void tick()
  })

  return {
    start() {
      running = true
      return tick()
    },
    stop() {
      running = false
      again = false
      cancel()
      if (!loading) mark('off')
    },
    now() {
      return tick()
    }
  }
}
