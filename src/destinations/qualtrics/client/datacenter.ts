import { IntegrationError } from '@segment/actions-core'
import { describeType } from './errors'

// A single DNS label: the datacenter becomes part of a host name, so nothing may escape it.
const DATACENTER_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** Lower-cases the datacenter ID and rejects anything that is not a single DNS label. */
export function normaliseDatacenter(datacenter: unknown): string {
  const value = typeof datacenter === 'string' ? datacenter.toLowerCase() : ''
  if (!DATACENTER_PATTERN.test(value)) {
    const shown = typeof datacenter === 'string' ? JSON.stringify(datacenter.slice(0, 80)) : describeType(datacenter)
    throw new IntegrationError(
      `Datacenter ID ${shown} is not valid: use the ID from Account settings → Qualtrics IDs, letters, digits and hyphens only (for example "iad1" or "fra1").`,
      'INVALID_DATACENTER',
      400
    )
  }
  return value
}

/**
 * The API base for a datacenter, e.g. `https://iad1.qualtrics.com/API/v3`; with a local API origin (a checked loopback
 * origin, see client-state.ts) the same path on that origin.
 */
export function apiBaseUrl(datacenter: unknown, apiOrigin?: string): string {
  const dc = normaliseDatacenter(datacenter)
  return `${apiOrigin ?? `https://${dc}.qualtrics.com`}/API/v3`
}
