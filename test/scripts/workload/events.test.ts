import { makeEvent, workload, zipfBatches, zipfUsers } from '../../../scripts/workload/events'
import { newPeoplePerBatch } from '../../../scripts/bench/steady'

function countsByUser(owners: number[]): number[] {
  const counts = new Map<number, number>()
  for (const user of owners) counts.set(user, (counts.get(user) ?? 0) + 1)
  return [...counts.values()].sort((a, b) => b - a)
}

const shareOfTop = (sortedCounts: number[], people: number, total: number) =>
  sortedCounts.slice(0, people).reduce((sum, n) => sum + n, 0) / total

describe('steady-state workload (Zipf, exponent 1)', () => {
  const owners = zipfUsers(11_000, 2000)

  it('is the same for the same seed and differs for another', () => {
    expect(zipfUsers(11_000, 2000)).toEqual(owners)
    expect(zipfUsers(11_000, 2000, 8)).not.toEqual(owners)
    expect(owners.every((user) => Number.isInteger(user) && user >= 0 && user < 2000)).toBe(true)
  })

  it('gives the top fifth of people about 80% of the events, where a uniform spread gives them 20%', () => {
    const counts = countsByUser(owners)
    // Zipf with exponent 1 over 2,000 ranks: H(400)/H(2000) ≈ 0.80, and the first rank has 1/H(2000) ≈ 12%.
    expect(shareOfTop(counts, 400, owners.length)).toBeGreaterThan(0.75)
    expect(shareOfTop(counts, 400, owners.length)).toBeLessThan(0.86)
    expect(counts[0] / owners.length).toBeGreaterThan(0.1)
    expect(counts[0] / owners.length).toBeLessThan(0.15)
    const uniform = countsByUser(workload(['transaction'], 11_000, 2000).map((e) => Number(e.userId?.slice(5))))
    expect(shareOfTop(uniform, 400, 11_000)).toBeLessThan(0.25)
  })

  it('keeps bringing people not seen before, fewer with each batch', () => {
    const fresh = newPeoplePerBatch(owners, 1000)
    expect(fresh).toHaveLength(11)
    expect(fresh.reduce((sum, n) => sum + n, 0)).toBe(new Set(owners).size)
    expect(fresh[0]).toBeGreaterThan(300)
    expect(fresh[10]).toBeGreaterThan(0)
    expect(fresh[10]).toBeLessThan(fresh[1] / 2)
  })

  it('does not tie popularity to the users that already exist (0 … 999)', () => {
    const existingShare = owners.filter((user) => user < 1000).length / owners.length
    expect(existingShare).toBeGreaterThan(0.2)
    expect(existingShare).toBeLessThan(0.8)
  })

  it('cuts batches of Transaction Created events with message ids running on across batches', () => {
    const batches = zipfBatches('transaction', 3, 1000, 2000)
    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000, 1000])
    expect(batches.flat().map((event) => Number(event.userId?.slice(5)))).toEqual(zipfUsers(3000, 2000))
    const ids = new Set(batches.flat().map((event) => event.messageId))
    expect(ids.size).toBe(3000)
    expect(batches[1][0]).toEqual(makeEvent('transaction', owners[1000], 1000))
  })
})
