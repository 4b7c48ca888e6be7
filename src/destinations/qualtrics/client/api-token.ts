import { InvalidAuthenticationError } from '@segment/actions-core'
import { describeType } from './errors'

const HOW_TO_FIX = 'copy it again from Account settings → Qualtrics IDs'

/** Why a character cannot go in an HTTP header value, or undefined when it can. */
function whyUnsendable(character: string): string | undefined {
  const code = character.codePointAt(0) as number
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  if (code === 0x0a || code === 0x0d) return `a line break (${name})`
  // C0 controls (tab and NUL included), DEL and the C1 controls: no token has them, and some would split the header.
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `a control character (${name})`
  // Header values are Latin-1: anything beyond it cannot be sent at all.
  if (code > 0xff) return `a character outside Latin-1 (${name})`
  return undefined
}

/**
 * A credential setting as it will be sent, undefined when it is absent or blank, or a final
 * `InvalidAuthenticationError` saying what is wrong with it (never the value itself). Surrounding whitespace, a
 * trailing newline from a copy and paste most often, is trimmed: it can never be part of a header value, so the
 * trimmed value is the one the user meant. Anything else that cannot go in a header is refused here, before any
 * request exists, rather than failing later as a retryable "connection failed". `forbidden` lists characters the
 * credential may not hold for other reasons (a colon in a Basic user name).
 */
export function credentialText(value: unknown, label: string, howToFix: string, forbidden = ''): string | undefined {
  if (value !== undefined && value !== null && typeof value !== 'string') {
    throw new InvalidAuthenticationError(`${label} must be text, not ${describeType(value)}.`)
  }
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '') return undefined
  const characters = [...text]
  for (let position = 0; position < characters.length; position++) {
    const character = characters[position]
    const why = forbidden.includes(character) ? `"${character}"` : whyUnsendable(character)
    if (why) {
      throw new InvalidAuthenticationError(
        `${label} contains ${why} at character ${position + 1}, which cannot be sent in a header: ${howToFix}.`
      )
    }
  }
  return text
}

/** The API token as it will be sent, or a final `InvalidAuthenticationError` (see `credentialText`). */
export function optionalToken(apiToken: unknown): string | undefined {
  return credentialText(apiToken, 'API Token', HOW_TO_FIX)
}

/** The API token as it will be sent; a missing one is a final `InvalidAuthenticationError` too. */
export function requireToken(apiToken: unknown): string {
  const token = optionalToken(apiToken)
  if (token === undefined) throw new InvalidAuthenticationError(`API Token is missing: ${HOW_TO_FIX}.`)
  return token
}
