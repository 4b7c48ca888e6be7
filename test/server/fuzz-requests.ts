/**
 * Random and malformed HTTP requests for the fuzz test, from a fixed seed so every run sends the same ones. Each is
 * the raw bytes to write, since most of them are requests no HTTP client would send.
 */

export interface FuzzCase {
  bytes: Buffer
  /** The method of the first request in the bytes (a HEAD's answer has no body). */
  method: string
  /** Write only this many bytes, then drop the connection (a client that goes away mid-request). */
  cutAt?: number
  /** Write everything, then drop the connection without reading the answer. */
  dropAfterSending?: boolean
}

type Random = () => number

/** xorshift32: small, seeded, and plenty random for choosing test inputs. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x100000000
  }
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]
const chance = (random: Random, p: number) => random() < p
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1))

const METHODS = [
  'GET',
  'GET',
  'POST',
  'POST',
  'POST',
  'POST',
  'OPTIONS',
  'HEAD',
  'PUT',
  'DELETE',
  'PATCH',
  'get',
  'BREW'
]
const PATHS = [
  '/',
  '/manifest',
  '/authenticate',
  '/events',
  '/events',
  '/upsertContact',
  '/triggerXflow',
  '/upsertContactTransaction',
  '/upsertContactTransaction/mailingListId',
  '/upsertContact/constructor',
  '/__proto__',
  '/%',
  '/%zz/%E0%A4%A',
  '/events%00',
  '//events//',
  '/..%2f..%2fetc%2fpasswd',
  '/events?x=%ff&y',
  '*',
  'http://[',
  'http://attacker.example/events',
  `/${'a'.repeat(4000)}`,
  '/\u00e9v\u00e9nts'
]
const JSONISH_TOKENS = [':', '"', '\\', '{', ',', 'null', '":"', '"1","b":"', 'false,"error":"', '\u2028', '[redacted]']
const ALLOWED_ORIGINS = ['https://app.segment.com', 'https://eu1.app.segment.com', 'http://localhost:PORT']
const FOREIGN_ORIGINS = ['http://attacker.example', 'null', 'https://app.segment.com.attacker.example', '\u00ff']
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/jsonp',
  ''
]

function segmentEvent(random: Random): Record<string, unknown> {
  const n = int(random, 1, 50)
  return pick(random, [
    { type: 'identify', userId: `fuzz-${n}`, messageId: `m${n}`, traits: { email: `f${n}@example.com` } },
    { type: 'track', event: 'Transaction Created', userId: `fuzz-${n}`, properties: { total: n } },
    { type: 'track', event: 'Survey Completed', userId: `fuzz-${n}` },
    { type: 'page', userId: `fuzz-${n}` },
    { type: 'track', event: pick(random, JSONISH_TOKENS), properties: { [pick(random, JSONISH_TOKENS)]: n } }
  ])
}

function nested(depth: number, open: string, close: string, leaf = '1'): string {
  return `${open.repeat(depth)}${leaf}${close.repeat(depth)}`
}

function validJson(random: Random): string {
  const token = pick(random, JSONISH_TOKENS)
  return JSON.stringify(
    pick(random, [
      segmentEvent(random),
      [segmentEvent(random), segmentEvent(random)],
      { batch: Array.from({ length: int(random, 0, 30) }, () => segmentEvent(random)) },
      { payload: segmentEvent(random) },
      { payload: [segmentEvent(random), segmentEvent(random)], mapping: { directoryId: token } },
      { payload: segmentEvent(random), settings: { apiToken: token, datacenter: 'iad1' } },
      { apiToken: token },
      { apiToken: token, datacenter: pick(random, ['iad1', token, 'attacker.example']) },
      { payload: 'text', settings: [], mapping: 1 },
      { batch: {} },
      [null],
      null
    ])
  )
}

function body(random: Random): Buffer {
  const kind = int(random, 0, 11)
  if (kind <= 3) return Buffer.from(validJson(random))
  if (kind === 4) {
    const text = validJson(random)
    return Buffer.from(text.slice(0, int(random, 0, text.length - 1)))
  }
  if (kind === 5)
    return Buffer.from(
      `{"payload":{"type":"track","event":"x","properties":{"n":1e999,"m":-${'9'.repeat(int(random, 1, 5000))}}}}`
    )
  if (kind === 6) return Buffer.from(nested(int(random, 1000, 60000), '[', ']'))
  if (kind === 7)
    return Buffer.from(`{"type":"track","userId":"d","event":${nested(int(random, 500, 20000), '{"a":', '}')}}`)
  if (kind === 8)
    return Buffer.concat([
      Buffer.from('{"type":"identify","userId":"'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
      Buffer.from('"}')
    ])
  if (kind === 9) return Buffer.from(Array.from({ length: int(random, 1, 2000) }, () => int(random, 0, 255)))
  if (kind === 10)
    return Buffer.from(
      '{"__proto__":{"type":"track"},"constructor":{"prototype":{"x":1}},"type":"identify","userId":"p"}'
    )
  return Buffer.alloc(0)
}

function headerLines(random: Random, port: number, method: string, payload: Buffer): string[] {
  const lines: string[] = []
  const host = random()
  if (host < 0.85) lines.push(`Host: 127.0.0.1:${port}`)
  else if (host < 0.9) lines.push(`Host: localhost:${port}`)
  else if (host < 0.95) lines.push(`Host: attacker.example:${port}`)
  else if (host < 0.98) lines.push(`Host: 127.0.0.1:${port}`, 'Host: attacker.example')
  const origin = random()
  if (origin < 0.08) lines.push(`Origin: ${pick(random, ALLOWED_ORIGINS).replace('PORT', String(port))}`)
  else if (origin < 0.2) lines.push(`Origin: ${pick(random, FOREIGN_ORIGINS)}`)
  if (method === 'OPTIONS' && chance(random, 0.7)) lines.push(`Access-Control-Request-Method: ${pick(random, METHODS)}`)
  const type = random()
  if (type < 0.8) lines.push(`Content-Type: application/json${chance(random, 0.3) ? '; charset=utf-8' : ''}`)
  else if (type < 0.96) lines.push(`Content-Type: ${pick(random, CONTENT_TYPES)}`)
  if (chance(random, 0.1))
    lines.push(`X-Fuzz: ${Buffer.from(Array.from({ length: 40 }, () => int(random, 32, 126))).toString()}`)
  if (chance(random, 0.02))
    lines.push(pick(random, ['NoColonHere', 'Bad\u0001Header: x', ' leading: space', 'X-Null: a\u0000b']))
  if (chance(random, 0.01)) lines.push(`X-Huge: ${'h'.repeat(20000)}`)
  const length = random()
  if (length < 0.75) lines.push(`Content-Length: ${payload.length}`)
  else if (length < 0.82) lines.push(`Content-Length: ${payload.length + int(random, 1, 5000)}`)
  else if (length < 0.87) lines.push(`Content-Length: ${Math.max(0, payload.length - int(random, 1, 50))}`)
  else if (length < 0.9) lines.push(`Content-Length: ${pick(random, ['-1', 'abc', '1e3', '99999999999999999999'])}`)
  else if (length < 0.93) lines.push(`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1}`)
  else if (length < 0.97) lines.push('Transfer-Encoding: chunked')
  return lines
}

function chunked(random: Random, payload: Buffer): Buffer {
  if (chance(random, 0.3)) return Buffer.concat([Buffer.from('zz\r\n'), payload]) // a broken chunk size
  return Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')])
}

function request(random: Random, port: number, close = true): { method: string; bytes: Buffer } {
  const method = pick(random, METHODS)
  const payload = method === 'GET' && chance(random, 0.8) ? Buffer.alloc(0) : body(random)
  const lines = headerLines(random, port, method, payload)
  const version = chance(random, 0.97) ? 'HTTP/1.1' : pick(random, ['HTTP/1.0', 'HTTP/9.9', 'HTTX/1.1'])
  const head = [
    `${method} ${pick(random, PATHS)} ${version}`,
    ...lines,
    close ? 'Connection: close' : 'Connection: keep-alive',
    '',
    ''
  ].join('\r\n')
  const sent = lines.includes('Transfer-Encoding: chunked') ? chunked(random, payload) : payload
  return { method, bytes: Buffer.concat([Buffer.from(head, 'latin1'), sent]) }
}

/** The cases, in order: most are sent whole and answered; some are cut short, dropped, or sent two at once. */
export function fuzzCases(seed: number, count: number, port: number): FuzzCase[] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, (): FuzzCase => {
    const { method, bytes } = request(random, port)
    const mode = random()
    if (mode < 0.08) return { method, bytes, cutAt: int(random, 1, bytes.length - 1) }
    if (mode < 0.15) return { method, bytes, dropAfterSending: true }
    if (mode < 0.2) {
      const first = request(random, port, false)
      return { method: first.method, bytes: Buffer.concat([first.bytes, bytes]) }
    }
    return { method, bytes }
  })
}
