// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * Directory id. Also known as the Pool ID. POOL_XXX
   */
  directoryId: string
  /**
   * The external data reference which is a unique identifier for the user
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
   * First name of contact
   */
  firstName?: string
  /**
   * Last name of contact
   */
  lastName?: string
  /**
   * Language code of the contact
   */
  language?: string
  /**
   * Should the contact be unsubscribed from correspondence
   */
  unsubscribed?: boolean
  /**
   * Contact embedded data (properties of the contact). Strings, numbers and booleans are sent as they are; a nested object or array is sent as JSON text under its own key. Names may be up to 200 characters and values up to 1,024.
   */
  embeddedData?: {
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
