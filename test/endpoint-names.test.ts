import { ENDPOINTS } from '../src/destinations/qualtrics/client/endpoints'
import { ENDPOINT_NAMES } from '../src/sandbox/endpoints'

// The destination names each endpoint it calls (its counters carry the name) and the sandbox names each endpoint it
// serves, in two tables kept apart on purpose: the sandbox must not learn from the destination. Here they meet.

describe('endpoint names', () => {
  it('every endpoint the destination calls has the name the sandbox gives it', () => {
    const sandbox = new Set<string>(ENDPOINT_NAMES)
    expect(Object.keys(ENDPOINTS).filter((name) => !sandbox.has(name))).toEqual([])
  })
})
