import { createHmac, timingSafeEqual } from 'node:crypto'

/** Why a callback's signature was refused, or 'ok'. */
export type SignatureCheck = 'ok' | 'missing' | 'not-hex' | 'wrong-length' | 'mismatch'

/** An HMAC-SHA512 is 64 bytes: 128 hex digits. */
const HEX_SHA512 = /^[0-9a-f]{128}$/i

/** The signature Qualtrics sends for a shared key: hex HMAC-SHA512 of the MSG field exactly as posted. */
export function signMessage(sharedKey: string, msg: string): string {
  return createHmac('sha512', sharedKey).update(msg, 'utf8').digest('hex')
}

/**
 * Checks the HMAC field against the MSG field. Shape is checked first (it says nothing about the key); the
 * comparison itself is constant-time, so the answer's timing does not tell a caller how much of a guess was right.
 */
export function checkSignature(sharedKey: string, msg: string, hmac: string | undefined): SignatureCheck {
  if (hmac === undefined || hmac.trim() === '') return 'missing'
  const given = hmac.trim()
  if (!/^[0-9a-f]*$/i.test(given)) return 'not-hex'
  if (!HEX_SHA512.test(given)) return 'wrong-length'
  const expected = Buffer.from(signMessage(sharedKey, msg), 'hex')
  return timingSafeEqual(expected, Buffer.from(given, 'hex')) ? 'ok' : 'mismatch'
}

export const SIGNATURE_REASONS: Record<Exclude<SignatureCheck, 'ok'>, string> = {
  missing: 'the callback has no HMAC field (the subscription needs a shared key)',
  'not-hex': 'the HMAC field is not hexadecimal',
  'wrong-length': 'the HMAC field is not 128 hex digits (an HMAC-SHA512)',
  mismatch: 'the HMAC does not match MSG for the shared key'
}
