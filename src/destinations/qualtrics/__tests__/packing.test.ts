import './__helpers__/harness'
import { packRequests } from '../packing'

// The one packer of items into requests (transactions requests, imports): by count and bytes, in order.

const bytesOf = (item: { bytes: number }) => item.bytes
const items = (...sizes: number[]) => sizes.map((bytes, n) => ({ n, bytes }))
const ns = (requests: { n: number }[][]) => requests.map((request) => request.map((item) => item.n))

describe('packRequests', () => {
  it('closes a request at the item count', () => {
    expect(ns(packRequests(items(1, 1, 1, 1, 1), { maxItems: 2, maxBytes: 100 }, { bytesOf }))).toEqual([
      [0, 1],
      [2, 3],
      [4]
    ])
  })

  it('closes a request before the item that would pass the bytes, counting framing and separators', () => {
    const limits = { maxItems: 100, maxBytes: 20, framingBytes: 4, separatorBytes: 1 }
    // 4 + (5+1) + (5+1) = 16; a third would make 22.
    expect(ns(packRequests(items(5, 5, 5, 5), limits, { bytesOf }))).toEqual([
      [0, 1],
      [2, 3]
    ])
  })

  it('counts each listed name once per request, and again in the next', () => {
    const named = [
      { n: 0, bytes: 4, names: ['ab'] },
      { n: 1, bytes: 4, names: ['ab'] },
      { n: 2, bytes: 4, names: ['cd'] }
    ]
    // "ab" costs 5 ('"ab"' and a comma): 4+5, +4 = 13, then 4+5 more would be 22 > 20.
    const cost = { bytesOf, namesOf: (item: { names: string[] }) => item.names }
    expect(ns(packRequests(named, { maxItems: 10, maxBytes: 20 }, cost))).toEqual([[0, 1], [2]])
  })

  it('gives an item too big for any request one of its own, and keeps the order', () => {
    expect(ns(packRequests(items(3, 50, 3), { maxItems: 10, maxBytes: 10 }, { bytesOf }))).toEqual([[0], [1], [2]])
  })
})
