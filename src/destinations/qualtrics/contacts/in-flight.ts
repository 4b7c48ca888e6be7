/** Work in progress in this process, by identifier key (see `KnownContacts.key`). Nothing stays once settled. */
const inFlight = new Map<string, Promise<void>>()

/**
 * Runs `work` once no other work holding any of `keys` is in flight, and holds them meanwhile.
 *
 * Search-then-create is not atomic: two resolutions of one new person at the same moment (two batches, a batch and
 * a single event, or either lookup mode) would both find nothing and both create the contact. Holding the person's
 * identifiers makes the second wait for the first, whose result it then finds in the contact cache without asking
 * Qualtrics. This closes that window within one process; a second process can still race.
 */
export async function whileHolding<T>(keys: string[], work: () => Promise<T>): Promise<T> {
  for (;;) {
    const busy = keys.map((key) => inFlight.get(key)).filter((p): p is Promise<void> => p !== undefined)
    if (busy.length === 0) break
    await Promise.all(busy)
  }
  // No await between the check above and taking the keys: nothing else can take them in between.
  const running = work()
  const settled = running.then(
    () => undefined,
    () => undefined
  )
  for (const key of keys) inFlight.set(key, settled)
  void settled.then(() => {
    for (const key of keys) if (inFlight.get(key) === settled) inFlight.delete(key)
  })
  return running
}

/** How many keys are held right now (for tests: nothing may stay held). */
export function heldKeyCount(): number {
  return inFlight.size
}
