/**
 * The one home of the redaction rules. Redaction applies to what is shown, logged or put in an error, note or batch
 * entry, and only with the secrets of the request that produced it: there is no list of secrets kept for the
 * process, so one customer's secret can never change what another customer's answers say or how they are read.
 * Qualtrics' answers are read as they came; only what is shown of them is redacted.
 */

/** What a secret is replaced with. */
export const REDACTED = '[redacted]'

/**
 * Secrets shorter than this are never searched for inside text. A 1-character token such as ":" would redact every
 * colon of a log line, URL or message (and, in JSON text, break the JSON); no real Qualtrics token is that short
 * (they are 40 characters), so a short one would not authenticate anyway. A value that is exactly a short secret is
 * still replaced by `redactValue`, where that costs nothing else.
 */
export const MIN_SEARCHED_SECRET_LENGTH = 8

/** The secrets worth searching for inside text, longest first so a secret inside another is not left half-shown. */
function searchable(secrets: readonly unknown[]): string[] {
  return [...new Set(secrets)]
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SEARCHED_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
}

/** Replaces every occurrence of every secret (of at least MIN_SEARCHED_SECRET_LENGTH characters) in the text. */
export function redactText(text: string, secrets: readonly unknown[]): string {
  return searchable(secrets).reduce((out, secret) => out.split(secret).join(REDACTED), text)
}

/**
 * A copy of JSON data (what JSON.parse returns) with the secrets replaced inside every string and every key, at any
 * depth. Working on the structure, never on JSON text, means a secret made of JSON punctuation (":" or "\\") cannot
 * change the shape of the data or make it unparseable. Two keys that redact to the same text keep the last value.
 */
export function redactValue(value: unknown, secrets: readonly unknown[]): unknown {
  const whole = new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))
  const inText = searchable(secrets)
  const redactString = (text: string) => (whole.has(text) ? REDACTED : redactText(text, inText))
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactString(node)
    if (Array.isArray(node)) return node.map(walk)
    if (typeof node !== 'object' || node === null) return node
    // fromEntries defines own properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [redactString(key), walk(child)]))
  }
  return whole.size === 0 ? value : walk(value)
}

/** Replaces the secrets in an error's message (and its stack, which repeats it) in place, and returns the error. */
function redactError<E>(error: E, secrets: readonly unknown[]): E {
  if (!(error instanceof Error)) return error
  const message = redactText(error.message, secrets)
  if (message !== error.message) error.message = message
  if (typeof error.stack === 'string') {
    const stack = redactText(error.stack, secrets)
    if (stack !== error.stack) error.stack = stack
  }
  return error
}

/** Replaces one secret wherever it appears in a text or an error's message (the error is changed in place). */
export function redactSecret<T extends Error | string>(value: T, secret: string): T {
  return (typeof value === 'string' ? redactText(value, [secret]) : redactError(value, [secret])) as T
}

/**
 * The secrets of one client (one customer's settings, in one invocation): its API token, its OAuth client secret and
 * Basic credentials, and every access token it obtained or used. Everything the client shows goes through it.
 */
export class Redactor {
  private readonly secrets = new Set<string>()

  constructor(secrets: readonly unknown[] = []) {
    this.add(...secrets)
  }

  /** Adds secrets of this client (non-text and empty values are ignored). */
  add(...secrets: unknown[]): void {
    for (const secret of secrets) if (typeof secret === 'string' && secret !== '') this.secrets.add(secret)
  }

  text(text: string): string {
    return redactText(text, [...this.secrets])
  }

  /** The error itself, its message and stack redacted in place; anything that is not an Error as it is. */
  error<E>(error: E): E {
    return redactError(error, [...this.secrets])
  }

  /** A redacted copy of JSON data (see `redactValue`). */
  value<T>(value: T): T {
    return redactValue(value, [...this.secrets]) as T
  }
}
