import type { KeyedWork } from '../memory/keyed-work'
import type { TimedCache } from '../memory/timed-cache'
import type { KnownContact } from './contact-cache'
import type { DeduplicationCache } from './deduplication'

/** What the contacts code keeps between calls, in its destination instance's state (state.ts). */
export interface ContactsState {
  /** Contacts the instance created or found: the first level of the contact cache (contact-levels.ts). */
  readonly contacts: TimedCache<KnownContact>
  /** The fields each directory deduplicates on, as read (concurrent callers share one read: deduplication.ts). */
  readonly deduplication: DeduplicationCache
  /**
   * The identifiers of people being looked up or written right now. Search-then-create is not atomic: two
   * resolutions of one new person at the same moment (two batches, a batch and a single event, or either lookup
   * mode) would both find nothing and both create the contact. Holding the person's identifiers makes the second wait
   * for the first, whose result it then finds in the contact cache without asking Qualtrics. This closes that window
   * within one instance; a second process can still race.
   */
  readonly identifierLocks: KeyedWork
}
