import { sandboxOptionsFromEnv } from '../../src/sandbox/env'

describe('sandboxOptionsFromEnv', () => {
  it('sets nothing when nothing is configured (no index lag)', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({})
  })

  it('puts SANDBOX_INDEX_LAG_MS into the fault configuration, over one given in SANDBOX_FAULTS', () => {
    expect(sandboxOptionsFromEnv({ SANDBOX_INDEX_LAG_MS: '1000' })).toEqual({ faults: { indexLagMs: 1000 } })
    expect(
      sandboxOptionsFromEnv({ SANDBOX_FAULTS: '{"latencyMs": 5, "indexLagMs": 10}', SANDBOX_INDEX_LAG_MS: '0' })
    ).toEqual({ faults: { latencyMs: 5, indexLagMs: 0 } })
  })

  it.each(['-1', 'soon', 'Infinity'])('refuses SANDBOX_INDEX_LAG_MS=%s by name', (value) => {
    expect(() => sandboxOptionsFromEnv({ SANDBOX_INDEX_LAG_MS: value })).toThrow(
      `SANDBOX_INDEX_LAG_MS must be a number of 0 or more, not "${value}"`
    )
  })
})
