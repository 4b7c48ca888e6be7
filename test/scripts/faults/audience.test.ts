import { SandboxStore } from '../../../src/sandbox'
import {
  AUDIENCE_DIRECTORY_ID,
  backfillChanges,
  lastSaid,
  memberEmail,
  mixedChanges,
  withAudienceDirectory
} from '../../../scripts/workload/audience'
import { audienceProblems, faultRunProblems } from '../../../scripts/faults/accounting'
import type { FaultReport } from '../../../scripts/faults/accounting'
import { summarizeOutcomes } from '../../../scripts/faults/outcomes'
import type { EventOutcome } from '../../../scripts/faults/outcomes'
import { checkList, phasesOf } from '../../../scripts/faults/audience'
import type { AudienceFaultReport } from '../../../scripts/faults/audience'
import { workloadSeed } from '../../../scripts/workload/events'

const emails = (people: number[]) => new Set(people.map(memberEmail))
const delivered: EventOutcome = { delivered: true, status: 200, retryable: false, attempts: 1 }

describe('audience workload', () => {
  it('mixes exits, newcomers and re-entries repeatably, and lastSaid applies them in order', () => {
    const changes = mixedChanges(300, 100, 3)
    expect(changes).toHaveLength(300)
    expect(mixedChanges(300, 100, 3)).toEqual(changes)
    expect(changes.some((c) => !c.member)).toBe(true)
    expect(changes.some((c) => c.member && c.person >= 100)).toBe(true)
    const reentered = changes.filter((c, i) => c.member && changes.slice(0, i).some((p) => p.person === c.person))
    expect(reentered.length).toBeGreaterThan(0)
    expect(lastSaid([...backfillChanges(3), { person: 1, member: false }, { person: 7, member: true }])).toEqual(
      new Set([0, 2, 7])
    )
  })
})

describe('audience fault bookkeeping', () => {
  it("splits changes into phases where each person changes once, keeping each person's order", () => {
    const phases = phasesOf([
      { person: 1, member: true },
      { person: 2, member: true },
      { person: 1, member: false },
      { person: 3, member: true },
      { person: 3, member: false }
    ])
    expect(phases.map((phase) => phase.map((c) => c.person))).toEqual([
      [1, 2, 3],
      [1, 3]
    ])
    expect(phases[1].map((c) => c.member)).toEqual([false, false])
    expect(lastSaid(phases.flat())).toEqual(new Set([2]))
  })

  function storeWith(members: number[], extraContacts: number[] = []) {
    const store = new SandboxStore(withAudienceDirectory(workloadSeed(0)))
    const lists = store.mailingLists(AUDIENCE_DIRECTORY_ID)
    const { id: list } = lists.create({ name: 'A' })
    for (const person of members) lists.addContact(list, { email: memberEmail(person) })
    for (const person of extraContacts) store.createContact(AUDIENCE_DIRECTORY_ID, { email: memberEmail(person) })
    const directory = store.snapshot().directories.find((d) => d.directoryId === AUDIENCE_DIRECTORY_ID)
    return { directory, list }
  }

  it('finds a list equal to the audience', () => {
    const { directory, list } = storeWith([1, 2, 3])
    expect(checkList(directory, list, emails([1, 2, 3]))).toEqual({
      expected: 3,
      listed: 3,
      missing: 0,
      extra: 0,
      listedTwice: 0,
      contacts: 3,
      duplicateContacts: 0
    })
  })

  it('counts members missing, members not in the audience, and doubled contacts', () => {
    // Person 4 is listed but not in the audience, person 3 is in it but not listed; then a doubled contact.
    const { directory, list } = storeWith([1, 2, 4])
    const check = checkList(directory, list, emails([1, 2, 3]))
    expect(check).toMatchObject({ missing: 1, extra: 1, listedTwice: 0, duplicateContacts: 0 })
    const doubled = { ...directory!, contacts: [...directory!.contacts, { ...directory!.contacts[0], id: 'CID_x' }] }
    expect(checkList(doubled, list, emails([1, 2, 4])).duplicateContacts).toBe(1)
  })

  it('fails the run when the list differs from the audience or an audience event was lost', () => {
    const clean: AudienceFaultReport = {
      members: 3,
      changes: 0,
      phases: 1,
      sent: 3,
      badInput: 0,
      createAttempts: 1,
      outcomes: summarizeOutcomes(['a', 'b', 'c'], new Map(['a', 'b', 'c'].map((id) => [id, delivered])), new Set()),
      list: { expected: 3, listed: 3, missing: 0, extra: 0, listedTwice: 0, contacts: 3, duplicateContacts: 0 }
    }
    expect(audienceProblems(clean)).toEqual([])
    const wrong = { ...clean, list: { ...clean.list, extra: 2 } }
    expect(audienceProblems(wrong)).toEqual(['mailing list ≠ audience (0 missing, 2 not in the audience)'])
    const lost = { ...clean, outcomes: { ...clean.outcomes, neverDelivered: 1 } }
    expect(audienceProblems(lost)).toEqual(['1 audience event(s) not delivered'])
    const base = { lost: 0, duplicates: 0, outcomes: clean.outcomes } as Pick<
      FaultReport,
      'lost' | 'duplicates' | 'outcomes'
    >
    expect(faultRunProblems({ ...base, audience: wrong })).toHaveLength(1)
    expect(faultRunProblems({ ...base, audience: clean })).toEqual([])
  })
})
