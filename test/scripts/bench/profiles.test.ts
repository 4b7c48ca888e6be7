/** `npm run bench:profiles`' table and the bench's --profile setting. */
import { comparisonTable } from '../../../scripts/bench/profile-table'
import { profileOf } from '../../../scripts/bench/settings'

describe('the profiles comparison', () => {
  it('shows each workload in both profiles with the change in requests per 1,000 events', () => {
    const table = comparisonTable(
      [
        { workload: 'upsertContact batch 1000', perThousand: 200, outcome: 'ok' },
        { workload: 'steady state, search', perThousand: 227.4, outcome: 'ok' }
      ],
      [
        { workload: 'upsertContact batch 1000', perThousand: 206, outcome: 'ok' },
        { workload: 'steady state, search', perThousand: 220, outcome: '3×500 failed' }
      ]
    )
    expect(table.rows).toEqual([
      ['upsertContact batch 1000', '200', '206', '+3.0%', 'ok', 'ok'],
      ['steady state, search', '227', '220', '-3.3%', 'ok', '3×500 failed']
    ])
  })

  it('takes default or strict as the profile and names anything else', () => {
    expect(profileOf(undefined)).toBe('default')
    expect(profileOf('strict')).toBe('strict')
    expect(() => profileOf('lenient')).toThrow('--profile must be one of default, strict, not "lenient"')
  })
})
