import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TrackingEvent, TrackingHandler } from '../../../src/server/tracking'

/** A bare HTTP server on 127.0.0.1 that mounts the tracking handler and answers 404 for anything else. */
export async function serve(handle: TrackingHandler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    handle(req, res, path)
      .then((handled) => {
        if (!handled) res.writeHead(404).end('not a tracking route')
      })
      .catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
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
