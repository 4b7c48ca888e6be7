import { InvalidAudienceMembershipError, PayloadValidationError } from '@segment/actions-core'
import type { AudienceMembership } from '@segment/actions-core'
import { describeType } from '../client'
import type { ContactBody } from '../client'
import { parseExternalId } from '../audience/external-id'
import type { AudienceList } from '../audience/external-id'
import { buildContactBody, EMBEDDED_NAME_LIMIT } from '../contacts/contact-fields'
import type { Payload } from './generated-types'

/** One event, checked: where its member goes, whether the person is in the audience, and who the person is. */
export interface AudienceEvent {
  index: number
  list: AudienceList
  audienceKey: string
  member: boolean
  contact: ContactBody
  /** The embedded-data name that records membership on the contact, when that is on. */
  membershipField?: string
}

/** The embedded data that records membership on the contact: `segment_<audience key>`. */
export function membershipFieldOf(audienceKey: string): string {
  const name = `segment_${audienceKey}`
  const length = [...name].length
  if (length > EMBEDDED_NAME_LIMIT) {
    const shownKey = audienceKey.slice(0, 40)
    throw new PayloadValidationError(
      `Audience key "${shownKey}…" makes an embedded-data name of ${length} characters (segment_<audience key>); Qualtrics allows ${EMBEDDED_NAME_LIMIT}. Turn off "Record membership on the contact" or shorten the key.`
    )
  }
  return name
}

/** Why actions-core found no membership in the event, in words that say what to fix. */
function missingMembership(payload: Payload, audienceKey: string): InvalidAudienceMembershipError {
  const value = (payload.traitsOrProperties as Record<string, unknown> | undefined)?.[audienceKey]
  const where = `"${audienceKey}" in the event's traits (identify) or properties (track)`
  if (value === undefined || value === null) {
    return new InvalidAudienceMembershipError(
      `The event says nothing about audience membership: Engage sends true or false as ${where}, and this event has none.`
    )
  }
  if (typeof value === 'boolean') {
    return new InvalidAudienceMembershipError(
      `The event has ${where} = ${value}, but is not an Engage audience event for that key: context.personas must have computation_class "audience" and computation_key "${audienceKey}".`
    )
  }
  const shown = typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : describeType(value)
  return new InvalidAudienceMembershipError(
    `The audience membership ${where} is ${shown}, not a boolean: only true (entered) or false (exited) counts.`
  )
}

/**
 * Checks one event: a well-formed external id, an audience key, a real true/false membership (actions-core's
 * `audienceMembership`, absent when Engage's event does not carry one) and at least one identifier. Throws the
 * event's own final error; nothing is sent for it.
 */
export function checkAudienceEvent(payload: Payload, membership: AudienceMembership, index: number): AudienceEvent {
  const list = parseExternalId(payload.externalAudienceId)
  const audienceKey = typeof payload.audienceKey === 'string' ? payload.audienceKey.trim() : ''
  if (audienceKey === '') {
    throw new PayloadValidationError(
      'Audience key is missing: Engage sets it (context.personas.computation_key); it names the trait or property that holds the membership.'
    )
  }
  if (typeof membership !== 'boolean') throw missingMembership(payload, audienceKey)
  const contact = buildContactBody({
    extRef: payload.extRef,
    email: payload.email,
    phone: payload.phone,
    firstName: payload.firstName,
    lastName: payload.lastName,
    language: payload.language
  })
  if (!contact.extRef && !contact.email && !contact.phone) {
    throw new PayloadValidationError(
      'The member has no identifier: map at least one of External Data Reference, Email or Phone number.'
    )
  }
  const membershipField = payload.membershipOnContact === true ? membershipFieldOf(audienceKey) : undefined
  return { index, list, audienceKey, member: membership, contact, ...(membershipField ? { membershipField } : {}) }
}
