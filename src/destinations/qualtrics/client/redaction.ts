/** What a secret is replaced with. */
export const REDACTED = '[redacted]'

/**
 * Secrets shorter than this are never searched for inside text. A 1-character token such as ":" would redact every
 * colon of a log line, URL or message (and, in JSON text, break the JSON); no real Qualtrics token is that short
 * (they are 40 characters), so a short one would not authenticate anyway. A value that is exactly a short secret is
 * still replaced by `redactValue`, where that costs nothing else.
 */
export const MIN_SEARCHED_SECRET_LENGTH = 8

/** How many registered secrets are kept: enough for every live credential of a process, small enough to search. */
const MAX_REGISTERED = 64
const registered = new Set<string>()

/**
 * Registers a secret (an OAuth client secret, an access token, an API token) that every redaction in this process
 * removes from then on, even where the caller did not name it: an access token fetched deep inside the client is
 * still hidden in what the local server reports. The oldest registrations are dropped first (tokens expire).
 */
export function registerSecret(secret: string | undefined): void {
  if (typeof secret !== 'string' || secret === '') return
  registered.delete(secret)
  registered.add(secret)
  if (registered.size > MAX_REGISTERED) registered.delete(registered.values().next().value as string)
}

/** The secrets given plus the registered ones. */
function withRegistered(secrets: readonly unknown[]): unknown[] {
  return registered.size === 0 ? [...secrets] : [...secrets, ...registered]
}

/** The secrets worth searching for inside text, longest first so a secret inside another is not left half-shown. */
function searchable(given: readonly unknown[]): string[] {
  const secrets = withRegistered(given)
  return [...new Set(secrets)]
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SEARCHED_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
}

/** Replaces every occurrence of every secret (of at least MIN_SEARCHED_SECRET_LENGTH characters) in the text. */
export function redactText(text: string, secrets: readonly unknown[]): string {
  return searchable(secrets).reduce((out, secret) => out.split(secret).join(REDACTED), text)
}

/** Replaces the token wherever it appears, so no message, log line or result can carry it. */
export function redactSecret<T extends Error | string>(value: T, secret: string): T {
  if (typeof value === 'string') return redactText(value, [secret]) as T
  const message = redactText(value.message, [secret])
  if (message !== value.message) value.message = message
  return value
}

/**
 * A copy of JSON data (what JSON.parse returns) with the secrets replaced inside every string and every key, at any
 * depth. Working on the structure, never on JSON text, means a secret made of JSON punctuation (":" or "\\") cannot
 * change the shape of the data or make it unparseable. Two keys that redact to the same text keep the last value.
 */
export function redactValue(value: unknown, secrets: readonly unknown[]): unknown {
  const whole = new Set(withRegistered(secrets).filter((s): s is string => typeof s === 'string' && s.length > 0))
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
