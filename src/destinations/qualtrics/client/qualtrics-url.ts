/**
 * The one rule for a URL that a secret (the API token, a Bearer token) may be sent to outside the API base: https, a
 * plain DNS name under qualtrics.com, no port, user info or IP address, no fragment. A workflow's JSON Event URL
 * (workflow-url.ts) and a listing's next page on another Qualtrics host (transport.ts) both pass it.
 */

const QUALTRICS_SUFFIX = '.qualtrics.com'
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const MAX_HOST_LENGTH = 253

/** The checked parts of such a URL, from which the URL that is sent is built. */
export interface QualtricsUrlParts {
  /** Lower-case DNS name ending in .qualtrics.com. */
  host: string
  /** The path as given (plain ASCII, no spaces or backslashes). */
  path: string
  /** The query as given, without its `?` (empty when there is none). */
  query: string
}

/** The parts, or why the URL is refused (`problem` completes "… is not …: {problem}"), or that it is no URL at all. */
export type QualtricsUrlCheck = { parts: QualtricsUrlParts } | { problem: string } | { notAUrl: true }

export function describeChar(char: string): string {
  if (/[\x21-\x7e]/.test(char)) return `"${char}"`
  const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase()
  return `U+${code.padStart(4, '0')}`
}

/**
 * Checks the host on its own terms rather than trusting a URL parser: parsers disagree on where a host ends (Node's
 * legacy `url.parse`, which the HTTP stack uses, stops at `;` or `'` where WHATWG `URL` does not), so only plain DNS
 * labels under qualtrics.com pass, and every parser then reads the same host.
 */
function hostProblem(authority: string): string | undefined {
  if (authority.includes('@')) return 'it must not carry a user name or password'
  if (authority.startsWith('[')) return 'its host must be a Qualtrics name, not an IP address'
  if (authority.includes(':')) return 'it must not name a port'
  const host = authority.toLowerCase()
  if (host === '') return 'it has no host'
  const badChar = /[^a-z0-9.-]/.exec(host)
  if (badChar) {
    return `its host contains ${describeChar(badChar[0])}; a host may hold only letters, digits, hyphens and dots`
  }
  if (host.length > MAX_HOST_LENGTH || !host.split('.').every((label) => DNS_LABEL.test(label))) {
    return 'its host has an empty or malformed name part (check for a trailing dot, ".." or a leading hyphen)'
  }
  if (!host.endsWith(QUALTRICS_SUFFIX)) {
    return 'its host must be a Qualtrics host ending in .qualtrics.com, such as iad1.qualtrics.com'
  }
  return undefined
}

/** Splits and checks a URL under the rule above; never throws. */
export function checkQualtricsUrl(raw: unknown): QualtricsUrlCheck {
  if (typeof raw !== 'string') return { notAUrl: true }
  const badChar = /[^\x21-\x7e]|\\/.exec(raw)
  if (badChar) {
    return {
      problem: `it contains ${describeChar(badChar[0])}; it must be plain ASCII without spaces or backslashes`
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)
  if (!scheme) return { notAUrl: true }
  if (scheme[1].toLowerCase() !== 'https') return { problem: 'it must use https' }
  if (!raw.startsWith('//', scheme[0].length)) return { problem: 'it must start with https://' }
  const rest = raw.slice(scheme[0].length + 2)
  const authorityEnd = rest.search(/[/?#]/)
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd)
  const problem = hostProblem(authority)
  if (problem) return { problem }
  const pathAndQuery = authorityEnd === -1 ? '' : rest.slice(authorityEnd)
  if (pathAndQuery.includes('#')) return { problem: 'it must not end in a #fragment' }
  const queryStart = pathAndQuery.indexOf('?')
  const path = queryStart === -1 ? pathAndQuery : pathAndQuery.slice(0, queryStart)
  const query = queryStart === -1 ? '' : pathAndQuery.slice(queryStart + 1)
  return { parts: { host: authority.toLowerCase(), path, query } }
}
