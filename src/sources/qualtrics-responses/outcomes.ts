/** What the receiver did with one callback: a line for the log and the console. Never holds a secret. */
export interface CallbackOutcome {
  at: string
  /** The HTTP status Qualtrics was answered with. */
  status: number
  outcome:
    | 'queued'
    | 'duplicate'
    | 'bad-signature'
    | 'unknown-topic'
    | 'malformed-msg'
    | 'response-gone'
    | 'response-forbidden'
    | 'response-unreadable'
    | 'no-identity'
    | 'too-large'
    | 'temporary-failure'
  surveyId?: string
  responseId?: string
  userId?: string
  reason?: string
}

/** The newest outcomes in memory (default 200), newest first: enough for a console, bounded. */
export class CallbackOutcomes {
  private readonly items: CallbackOutcome[] = []

  constructor(private readonly limit = 200) {}

  add(outcome: CallbackOutcome): void {
    this.items.unshift(outcome)
    if (this.items.length > this.limit) this.items.length = this.limit
  }

  list(): CallbackOutcome[] {
    return [...this.items]
  }
}

/** One log line for an outcome. */
export function describeOutcome(o: CallbackOutcome): string {
  const ids = [o.surveyId, o.responseId].filter(Boolean).join('/')
  return `Qualtrics callback ${ids || '(unidentified)'}: ${o.outcome} → ${o.status}${o.reason ? ` (${o.reason})` : ''}`
}
