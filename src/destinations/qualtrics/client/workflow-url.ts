import { PayloadValidationError } from '@segment/actions-core'

/** The JSON Event path a workflow's trigger URL has (older URLs spell it `JSON`). */
export const JSON_EVENT_PATH = '/inbound-event/v1/events/json/triggers'
/** The query parameter that names the trigger: `urlTokenId` today, `triggerId` in older URLs. */
const TRIGGER_PARAMS = ['urlTokenId', 'triggerId']
const QUALTRICS_SUFFIX = '.qualtrics.com'
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const MAX_HOST_LENGTH = 253

/** The checked parts of a workflow URL, from which the URL that is sent is built. */
export interface WorkflowUrlParts {
  /** Lower-case DNS name ending in .qualtrics.com. */
  host: string
  /** The JSON Event path, in the letter case the user gave (one of the spellings of JSON_EVENT_PATH). */
  path: string
  /** The query re-encoded from its decoded parameters. */
  query: string
}

function refuse(problem: string): never {
  throw new PayloadValidationError(
    `Workflow URL is not a Qualtrics JSON Event URL: ${problem}. Nothing was sent, and the API token is never sent to other hosts.`
  )
}

const describeChar = (char: string) =>
  /[\x21-\x7e]/.test(char) ? `"${char}"` : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * Checks the host on its own terms rather than trusting a URL parser: parsers disagree on where a host ends (Node's
 * legacy `url.parse`, which the HTTP stack uses, stops at `;` or `'` where WHATWG `URL` does not), so only plain DNS
 * labels under qualtrics.com pass, and every parser then reads the same host.
 */
function checkHost(authority: string): string {
  if (authority.includes('@')) refuse('it must not carry a user name or password')
  if (authority.startsWith('[')) refuse('its host must be a Qualtrics name, not an IP address')
  if (authority.includes(':')) refuse('it must not name a port')
  const host = authority.toLowerCase()
  if (host === '') refuse('it has no host')
  const badChar = /[^a-z0-9.-]/.exec(host)
  if (badChar)
    refuse(`its host contains ${describeChar(badChar[0])}; a host may hold only letters, digits, hyphens and dots`)
  if (host.length > MAX_HOST_LENGTH || !host.split('.').every((label) => DNS_LABEL.test(label))) {
    refuse('its host has an empty or malformed name part (check for a trailing dot, ".." or a leading hyphen)')
  }
  if (!host.endsWith(QUALTRICS_SUFFIX)) {
    refuse('its host must be a Qualtrics host ending in .qualtrics.com, such as iad1.qualtrics.com')
  }
  return host
}

/** Re-encodes the query from its decoded parameters, so nothing the user typed reaches the request line as is. */
function checkQuery(rawQuery: string): string {
  const params = new URLSearchParams(rawQuery)
  if (!TRIGGER_PARAMS.some((name) => (params.get(name) ?? '').trim() !== '')) {
    refuse('its query must name the trigger with urlTokenId (or triggerId in older URLs)')
  }
  return params.toString()
}

/**
 * Splits and checks a workflow's JSON Event URL: https, a host under qualtrics.com, the JSON Event path and a
 * trigger id. The URL can be mapped from event data, so anything else is refused before a request exists.
 */
export function parseWorkflowUrl(raw: unknown): WorkflowUrlParts {
  const notAUrl = 'Workflow URL is not a valid URL: copy the JSON Event URL from your Qualtrics workflow.'
  if (typeof raw !== 'string') throw new PayloadValidationError(notAUrl)
  const badChar = /[^\x21-\x7e]|\\/.exec(raw)
  if (badChar) refuse(`it contains ${describeChar(badChar[0])}; it must be plain ASCII without spaces or backslashes`)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)
  if (!scheme) throw new PayloadValidationError(notAUrl)
  if (scheme[1].toLowerCase() !== 'https') refuse('it must use https')
  if (!raw.startsWith('//', scheme[0].length)) refuse('it must start with https://')
  const rest = raw.slice(scheme[0].length + 2)
  const authorityEnd = rest.search(/[/?#]/)
  const host = checkHost(authorityEnd === -1 ? rest : rest.slice(0, authorityEnd))
  const pathAndQuery = authorityEnd === -1 ? '' : rest.slice(authorityEnd)
  if (pathAndQuery.includes('#')) refuse('it must not end in a #fragment')
  const queryStart = pathAndQuery.indexOf('?')
  const path = queryStart === -1 ? pathAndQuery : pathAndQuery.slice(0, queryStart)
  if (path.toLowerCase() !== JSON_EVENT_PATH) {
    refuse(`its path must be the JSON Event path ${JSON_EVENT_PATH}, not another Qualtrics address`)
  }
  const query = checkQuery(queryStart === -1 ? '' : pathAndQuery.slice(queryStart + 1))
  return { host, path, query }
}

/**
 * The URL a workflow event is posted to, built from the checked parts of the user's URL (never the user's string
 * itself). With a local API origin (a checked loopback origin, see client-state.ts), the same path and query go there.
 */
export function resolveWorkflowUrl(raw: unknown, apiOrigin?: string): string {
  const { host, path, query } = parseWorkflowUrl(raw)
  return `${apiOrigin ?? `https://${host}`}${path}?${query}`
}
