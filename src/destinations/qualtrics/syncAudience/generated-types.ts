// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The audience's directory and mailing list, as the destination named them when the audience was created (POOL_…:CG_… (the directory ID, a colon, the mailing list ID)). Engage sets it on every event.
   */
  externalAudienceId: string
  /**
   * The audience's key in Engage: the trait (identify) or property (track) that holds true or false, and the name of the membership on the contact.
   */
  audienceKey: string
  /**
   * The external data reference which is a unique identifier for the user, from the userId.
   */
  extRef?: string
  /**
   * Email of contact
   */
  email?: string
  /**
   * Phone number of contact
   */
  phone?: string
  /**
   * First name of the contact. Sent with each added member: a new contact is created with it, and an existing contact the directory matches is updated with it.
   */
  firstName?: string
  /**
   * Last name of the contact. Sent with each added member: a new contact is created with it, and an existing contact the directory matches is updated with it.
   */
  lastName?: string
  /**
   * Language code of the contact. Sent with each added member: a new contact is created with it, and an existing contact the directory matches is updated with it.
   */
  language?: string
  /**
   * Also set the embedded data segment_<audience key> on the contact to "true" when the person enters and "false" when they exit, for Qualtrics segments and filters. Qualtrics refreshes segments built on it within 24 hours; the mailing list changes at once.
   */
  membershipOnContact?: boolean
  /**
   * Where Engage puts the membership (the event's traits, or its properties for a track event). Read only to say what is wrong with an event that carries no true or false.
   */
  traitsOrProperties?: {
    [k: string]: unknown
  }
  /**
   * When enabled, Segment sends events in batches: contacts are resolved once per batch, transactions go out many to a request, and each event still gets its own result.
   */
  enable_batching?: boolean
  /**
   * The most events in one batch (default 1000, at most 1000).
   */
  batch_size?: number
}
