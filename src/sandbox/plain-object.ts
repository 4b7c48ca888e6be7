import { randomBytes } from 'node:crypto'

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A Qualtrics-looking id: the prefix (CID, CTR, UR, RUN) and 15 hex digits. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex').slice(0, 15)}`
