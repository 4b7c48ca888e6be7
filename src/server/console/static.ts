import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'

/**
 * The page may load only this server's own files and talk only to this server: no inline script or style, no
 * framing, no forms posting elsewhere. The server holds a Qualtrics token, so the page must not be a way out.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml'
}

/** The files served, by name: a fixed list, so no request path ever reaches the file system. */
export const CONSOLE_ASSETS = [
  'index.html',
  'console.css',
  'tables.css',
  'app.js',
  'dom.js',
  'deliveries.js',
  'tester.js',
  'sandbox.js',
  'responses.js',
  'live.js',
  'stats.js',
  'favicon.svg'
] as const

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream'
}

export function isConsoleAsset(name: string): name is (typeof CONSOLE_ASSETS)[number] {
  return (CONSOLE_ASSETS as readonly string[]).includes(name)
}

/** Sends one of CONSOLE_ASSETS as it is on disk (no build step), with the CSP and no caching; returns the status. */
export async function sendAsset(res: ServerResponse, name: (typeof CONSOLE_ASSETS)[number]): Promise<number> {
  const content = await readFile(join(__dirname, name))
  res.writeHead(200, {
    'content-type': contentTypeOf(name),
    'content-length': content.length,
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store'
  })
  res.end(content)
  return 200
}
