import qualtrics from '../src/destinations/qualtrics'
import { destinations } from '../src/destinations'

// This project's list of destinations (what the local server and the scripts run), outside the destination's folder
// as the monorepo's own list is.
describe('src/destinations', () => {
  it('lists the Qualtrics destination (its default export) by its slug', () => {
    expect(destinations['actions-qualtrics']).toBe(qualtrics)
    expect(Object.keys(destinations)).toEqual(['actions-qualtrics'])
  })
})
