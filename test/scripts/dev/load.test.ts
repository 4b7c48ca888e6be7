import { loadExitCode, loadReport, runLoad } from '../../../scripts/dev/load'
import type { LoadOptions } from '../../../scripts/dev/load'

/** A clock that moves only when a request is answered: each takes `msEach` of it, so no test waits on real time. */
function fakeRequests(msEach: number, outcome: (n: number) => { errors?: string[]; deliveries?: number } = () => ({})) {
  let clock = 0
  return {
    now: () => clock,
    send: async (n: number) => {
      await Promise.resolve()
      clock += msEach
      return { errors: [], deliveries: 1, ...outcome(n) }
    }
  }
}

const options = (overrides: Partial<LoadOptions>): LoadOptions => ({
  total: 50,
  concurrency: 1,
  seconds: 60,
  ...fakeRequests(10),
  ...overrides
})

describe('npm run load', () => {
  it('sends every request asked for within the time limit, and says nothing of a cap', async () => {
    const result = await runLoad(options({}))
    expect(result).toMatchObject({ asked: 50, sent: 50, deliveries: 50, stoppedAtCap: false })
    expect(result.elapsedMs).toBe(500)
    const report = loadReport(result)
    expect(report.join('\n')).not.toMatch(/cap/)
    expect(report[0]).toBe('50 requests (50 event deliveries) in 0.5 s, 1 concurrent')
    expect(loadExitCode(result)).toBe(0)
  })

  it('says when it stopped at its time cap, how far it got, and exits non-zero', async () => {
    const result = await runLoad(options({ seconds: 1, ...fakeRequests(100) }))
    expect(result).toMatchObject({ asked: 50, sent: 10, stoppedAtCap: true })
    const report = loadReport(result)
    expect(report.at(-1)).toBe(
      'STOPPED AT THE 1 s CAP after 10 of 50 requests: the figures above cover those 10. ' +
        'Raise --seconds or lower --requests for a full run.'
    )
    expect(loadExitCode(result)).toBe(2)
  })

  it('counts requests that came back wrong, and exits 1 for them before any cap', async () => {
    const outcome = (n: number) => (n % 10 === 9 ? { errors: ['malformed JSON: HTTP 200'] } : {})
    const result = await runLoad(options({ ...fakeRequests(10, outcome) }))
    expect(result.errors).toEqual({ 'malformed JSON: HTTP 200': 5 })
    expect(loadReport(result).join('\n')).toContain('errors: 5 ({"malformed JSON: HTTP 200":5})')
    expect(loadExitCode(result)).toBe(1)
    const capped = await runLoad(options({ seconds: 0.2, ...fakeRequests(10, () => ({ errors: ['x'] })) }))
    expect(capped.stoppedAtCap).toBe(true)
    expect(loadExitCode(capped)).toBe(1)
  })

  it('keeps `concurrency` requests in flight and never sends more than asked', async () => {
    let inFlight = 0
    let most = 0
    let clock = 0
    const send = async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight -= 1
      clock += 1
      return { errors: [], deliveries: 0 }
    }
    const result = await runLoad({ total: 23, concurrency: 4, seconds: 60, send, now: () => clock })
    expect(most).toBe(4)
    expect(result.sent).toBe(23)
    expect(result.latenciesMs).toHaveLength(23)
  })
})
