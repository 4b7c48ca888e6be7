import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createListener, listenOnLoopback } from '../../../src/server/http/listener'
import type { TrackingEvent, TrackingRoute } from '../../../src/server/tracking'

/** The tracking API alone behind the server's HTTP listener on 127.0.0.1 (no guard): 404 for any other path. */
export async function serve(
  route: TrackingRoute,
  log?: (line: string) => void
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createListener(async (req) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    return (await route(req, path)) ?? { status: 404, body: { error: 'not a tracking route' } }
  }, log)
  return listenOnLoopback(server)
}

/** A fresh folder for a queue store, and a function that removes it. */
export function tempFolder(): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'tracking-queue-'))
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) }
}

/** Resolves once `check` holds; gives up (and fails the test) after `tries` looks, a bound rather than a timing. */
export async function until(check: () => boolean | Promise<boolean>, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('condition never held')
}

export const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`

/**
 * A clock that never waits: a finite sleep moves time forward at once; an endless one (an idle worker) lasts until
 * the worker is woken. `sleeps` lists every finite wait, in order.
 */
export function fakeClock(start = Date.now()) {
  let now = start
  const sleeps: number[] = []
  return {
    sleeps,
    advance: (ms: number) => (now += ms),
    clock: {
      now: () => now,
      sleep: (ms: number, wake: AbortSignal) => {
        if (Number.isFinite(ms)) {
          sleeps.push(ms)
          now += Math.max(0, ms)
          return new Promise<void>((resolve) => setImmediate(resolve))
        }
        return new Promise<void>((resolve) => {
          if (wake.aborted) return resolve()
          wake.addEventListener('abort', () => resolve(), { once: true })
        })
      }
    }
  }
}

let counter = 0
/** A completed track event as the API would queue it. */
export function trackEvent(name: string, receivedAt = new Date()): TrackingEvent {
  const at = receivedAt.toISOString()
  counter++
  return {
    type: 'track',
    event: name,
    userId: 'u1',
    messageId: `msg-${name}-${counter}`,
    receivedAt: at,
    sentAt: at,
    timestamp: at
  }
}
