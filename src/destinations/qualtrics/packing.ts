/** How much one request may carry: its items, its body's bytes, and what every such body holds besides its items. */
export interface RequestLimits {
  maxItems: number
  maxBytes: number
  /** Bytes a request's body has whatever it holds (its envelope). */
  framingBytes?: number
  /** Bytes between two items (a comma). */
  separatorBytes?: number
}

/** What one item costs in a request: its own bytes, and names the request lists once however many items bring them. */
export interface ItemCost<T> {
  bytesOf: (item: T) => number
  /** Names listed once per request (an import's `transactionMeta.fields`), each costing its JSON text and a comma. */
  namesOf?: (item: T) => string[]
}

const nameBytes = (name: string) => Buffer.byteLength(JSON.stringify(name)) + 1

/**
 * The one packer of items into requests: in order, as many items as fit within the count and the bytes; an item
 * that fits no request alone still gets one of its own (callers refuse such items before they pack).
 */
export function packRequests<T>(items: T[], limits: RequestLimits, cost: ItemCost<T>): T[][] {
  const { maxItems, maxBytes, framingBytes = 0, separatorBytes = 0 } = limits
  const requests: T[][] = []
  let current: T[] = []
  let bytes = framingBytes
  let names = new Set<string>()
  for (const item of items) {
    const itemNames = cost.namesOf?.(item) ?? []
    const added = (known: Set<string>) =>
      cost.bytesOf(item) +
      separatorBytes +
      itemNames.filter((name) => !known.has(name)).reduce((sum, name) => sum + nameBytes(name), 0)
    if (current.length > 0 && (current.length >= maxItems || bytes + added(names) > maxBytes)) {
      requests.push(current)
      current = []
      bytes = framingBytes
      names = new Set()
    }
    bytes += added(names)
    for (const name of itemNames) names.add(name)
    current.push(item)
  }
  if (current.length > 0) requests.push(current)
  return requests
}
