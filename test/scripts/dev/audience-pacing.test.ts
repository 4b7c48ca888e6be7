import { MEMBERS_PER_ROUND, pacingSummary, sendPaced } from '../../../scripts/dev/audience-pacing'
import type { MemberResult } from '../../../scripts/dev/audience-pacing'

// The backfill's pacing, on a made-up server: a bucket of `limit` additions that a "minute" refills.
function limitedServer(limit: number, refuse: (member: number) => boolean = () => false) {
  let tokens = limit
  const rounds: number[][] = []
  return {
    rounds,
    post: async (members: unknown[]): Promise<MemberResult[]> => {
      rounds.push(members as number[])
      return (members as number[]).map((member) => {
        if (refuse(member)) return { status: 400, retryable: false, errormessage: `member ${member} has no email` }
        if (tokens < 1) return { status: 429, retryable: true, errormessage: 'Too many requests' }
        tokens--
        return { status: 200, retryable: false }
      })
    },
    refill() {
      tokens = limit
    }
  }
}

const members = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

describe('sendPaced', () => {
  it('sends at most 450 members a round, a minute apart, so 1,000 meet no 429 under 500 a minute', async () => {
    const server = limitedServer(500)
    let waits = 0
    const report = await sendPaced(members(1000), {
      post: server.post,
      waitAMinute: async () => {
        waits++
        server.refill()
      }
    })
    expect(MEMBERS_PER_ROUND).toBeLessThan(500)
    expect(server.rounds.map((round) => round.length)).toEqual([450, 450, 100])
    expect(waits).toBe(2)
    expect(report).toEqual({ added: 1000, refused: [], unsent: [], rounds: 3, answered429: 0 })
  })

  it('sends the members answered 429 again in the next round, first, and reports a refusal once', async () => {
    const server = limitedServer(3, (member) => member === 2)
    const lines: string[] = []
    const report = await sendPaced(members(6), {
      post: server.post,
      waitAMinute: async () => server.refill(),
      perRound: 5,
      log: (line) => lines.push(line)
    })
    // Round 1: 1, 3, 4 added (2 refused), 5 over the limit; round 2: 5 again, then 6.
    expect(server.rounds).toEqual([
      [1, 2, 3, 4, 5],
      [5, 6]
    ])
    expect(report).toEqual({
      added: 5,
      refused: [{ member: 2, status: 400, message: 'member 2 has no email' }],
      unsent: [],
      rounds: 2,
      answered429: 1
    })
    expect(lines[0]).toBe('round 1: 5 sent, 4 settled, 1 answered 429 (over the limit: sent again next round)')
    expect(pacingSummary(report)).toEqual([
      '5 members added in 2 round(s) (1 answers were 429 and were sent again)',
      '  refused (400): member 2 has no email'
    ])
  })

  it('gives up after maxRounds on members still answered retryable, and says how many', async () => {
    const server = limitedServer(0)
    const report = await sendPaced(members(3), { post: server.post, waitAMinute: async () => undefined, maxRounds: 2 })
    expect(server.rounds).toHaveLength(2)
    expect(report.unsent).toEqual([1, 2, 3])
    expect(pacingSummary(report).at(-1)).toBe('3 members still answered retryable after 2 rounds: not added')
  })
})
