import { connect } from 'node:net'
import nock from 'nock'
import { fuzzCases } from './fuzz-requests'
import type { FuzzCase } from './fuzz-requests'
import { startNpmStartProcess } from './npm-start-process'
import type { NpmStartProcess } from './npm-start-process'

// A few thousand random and malformed requests at `npm start` as a process of its own (sandbox mode: nothing leaves
// the machine). Node ends a process on an unhandled rejection or an uncaught exception, so a process still running,
// with nothing on stderr, had neither.
const SEED = 20261127
const COUNT = 2000
const PARALLEL = 16
/** Only a safety net against a test that would otherwise hang: a connection still open this long is a failure. */
const STALL_MS = 15_000

type Outcome = { kind: 'answered'; status: number; json: boolean | undefined } | { kind: 'closed' | 'stalled' }

/** The first answer in the bytes read: its status, and whether a JSON body parses (undefined: no JSON body). */
function firstAnswer(raw: Buffer, method: string): Outcome {
  const text = raw.toString('latin1')
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)
  if (!status) return { kind: 'closed' }
  const headEnd = text.indexOf('\r\n\r\n')
  const head = text.slice(0, headEnd).toLowerCase()
  const length = /\r\ncontent-length: (\d+)/.exec(head)
  if (method === 'HEAD' || !head.includes('content-type: application/json') || !length || headEnd < 0) {
    return { kind: 'answered', status: Number(status[1]), json: undefined }
  }
  const body = raw.subarray(headEnd + 4, headEnd + 4 + Number(length[1])).toString('utf8')
  let json = true
  try {
    JSON.parse(body)
  } catch {
    json = false
  }
  return { kind: 'answered', status: Number(status[1]), json }
}

function send(port: number, fuzz: FuzzCase): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1')
    const stall = setTimeout(() => {
      socket.destroy()
      resolve({ kind: 'stalled' })
    }, STALL_MS)
    socket.on('error', () => undefined)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('close', () => {
      clearTimeout(stall)
      resolve(chunks.length > 0 ? firstAnswer(Buffer.concat(chunks), fuzz.method) : { kind: 'closed' })
    })
    socket.on('connect', () => {
      if (fuzz.cutAt !== undefined) socket.write(fuzz.bytes.subarray(0, fuzz.cutAt), () => socket.destroy())
      else if (fuzz.dropAfterSending) socket.write(fuzz.bytes, () => socket.destroy())
      // Half-close: a request whose content-length promises more than it carries then ends instead of waiting.
      else socket.end(fuzz.bytes)
    })
  })
}

let started: NpmStartProcess
beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1')
  // A faster rate-limit clock, so that the valid requests among the fuzz never wait for the sandbox's limits.
  started = await startNpmStartProcess({ SANDBOX_TIME_SCALE: '60' })
}, 30_000)
afterAll(() => started?.stop())

it(`npm start survives ${COUNT} random and malformed requests and then answers GET / as usual`, async () => {
  const cases = fuzzCases(SEED, COUNT, started.port)
  const outcomes: Outcome[] = []
  for (let i = 0; i < cases.length; i += PARALLEL) {
    outcomes.push(...(await Promise.all(cases.slice(i, i + PARALLEL).map((fuzz) => send(started.port, fuzz)))))
  }

  // First: the process is alive and reported nothing (an unhandled rejection or exception would have ended it).
  expect(started.stderr()).toBe('')
  expect(started.child.exitCode).toBeNull()
  const answered = outcomes.filter((o): o is Extract<Outcome, { kind: 'answered' }> => o.kind === 'answered')
  const byStatus = answered.reduce<Record<number, number>>((n, o) => ({ ...n, [o.status]: (n[o.status] ?? 0) + 1 }), {})
  expect(outcomes.filter((o) => o.kind === 'stalled')).toHaveLength(0)
  // Every JSON answer is whole and parses; none is a 5xx (an "Internal error" means something escaped a route).
  expect(answered.filter((o) => o.json === false)).toHaveLength(0)
  expect(answered.filter((o) => o.status >= 500)).toHaveLength(0)
  // Every kind of refusal was exercised, and some requests got through to real answers.
  expect(Object.keys(byStatus)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '405', '415']))

  const index = await fetch(`${started.url}/`)
  expect(index.status).toBe(200)
  expect((await index.json()).routes).toContain('POST /events')
}, 120_000)
