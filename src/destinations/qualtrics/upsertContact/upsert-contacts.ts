import { PayloadValidationError } from '@segment/actions-core'
import { BATCH_CONCURRENCY, failed, mapWithConcurrency, settle, succeeded, type Outcome } from '../batching'
import { buildContactBody, mergeContacts } from '../contact-fields'
import type { ContactBody, QualtricsClient } from '../client'
import type { Payload } from './generated-types'

interface ContactRequest {
  directoryId: string
  contact: ContactBody
  indices: number[]
}

/** Contacts with the same directory and the same extRef, email and phone (case-insensitive) are one request. */
function identityKey(directoryId: string, contact: ContactBody): string {
  return JSON.stringify([directoryId, contact.extRef?.toLowerCase(), contact.email?.toLowerCase(), contact.phone])
}

/**
 * Creates or updates each contact, one request per distinct identity: events for the same identity are merged
 * in batch order (a later event's value wins, embedded data merged key by key), which is what sending them one
 * after another would leave in Qualtrics. Returns one outcome per payload, in order.
 */
export async function upsertContacts(client: QualtricsClient, payloads: Payload[]): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(payloads.length)
  const requests = new Map<string, ContactRequest>()
  payloads.forEach((payload, index) => {
    try {
      const contact = buildContactBody(payload)
      if (!contact.extRef && !contact.email && !contact.phone) {
        throw new PayloadValidationError(
          'The contact has no identifier: map at least one of External Data Reference, Email or Phone number.'
        )
      }
      const key = identityKey(payload.directoryId, contact)
      const existing = requests.get(key)
      if (existing) {
        existing.contact = mergeContacts(existing.contact, contact)
        existing.indices.push(index)
      } else {
        requests.set(key, { directoryId: payload.directoryId, contact, indices: [index] })
      }
    } catch (error) {
      outcomes[index] = failed(error)
    }
  })
  await mapWithConcurrency([...requests.values()], BATCH_CONCURRENCY, async ({ directoryId, contact, indices }) => {
    const outcome = await settle(async () => {
      const contactId = await client.createContact(directoryId, contact)
      return succeeded({ ...contact }, { contactId, directoryId })
    })
    for (const index of indices) outcomes[index] = outcome
  })
  return outcomes
}
