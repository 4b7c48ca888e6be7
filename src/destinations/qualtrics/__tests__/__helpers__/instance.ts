// Every test that uses these helpers gets the harness: undeclared requests and unsent declared ones fail it.
import './harness'
import { createTestIntegration } from '@segment/actions-core'
import { createState, qualtricsWith } from '../..'
import type { QualtricsOptions, QualtricsState } from '../..'
import { TestClock } from './clock'

const testIntegrationOf = (state: QualtricsState) => createTestIntegration(qualtricsWith(state))
export type TestDestination = ReturnType<typeof testIntegrationOf>

/** One destination instance of a test's own: the definition under test, what the instance keeps, and its clock. */
export interface QualtricsUnderTest {
  readonly testDestination: TestDestination
  readonly state: QualtricsState
  readonly clock: TestClock
}

/** A new instance on a test clock (options may add a request timeout, import polling…). */
export function qualtricsUnderTest(options: Omit<QualtricsOptions, 'clock'> = {}): QualtricsUnderTest {
  const clock = new TestClock()
  const state = createState({ ...options, clock })
  return { testDestination: testIntegrationOf(state), state, clock }
}

/**
 * A new instance for each test of the file (a beforeEach makes it): the properties are the running test's, so that
 * nothing one test leaves behind (a cached contact, a token) is seen by the next.
 */
export function instanceForEachTest(options: Omit<QualtricsOptions, 'clock'> = {}): QualtricsUnderTest {
  let current: QualtricsUnderTest | undefined
  beforeEach(() => {
    current = qualtricsUnderTest(options)
  })
  const running = (): QualtricsUnderTest => {
    if (!current) throw new Error('The instance exists only while a test runs.')
    return current
  }
  return {
    get testDestination() {
      return running().testDestination
    },
    get state() {
      return running().state
    },
    get clock() {
      return running().clock
    }
  }
}
