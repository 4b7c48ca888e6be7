// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * Enter the full URL as you see in your Xflow trigger. See more details on setting up an xflow trigger and getting the URL. It must be an https URL on qualtrics.com; the API token is never sent anywhere else.
   */
  workflowUrl: string
  /**
   * A mapping of key values to send to Qualtrics xflow. By default the event name, type, user and anonymous IDs, properties, traits, timestamp and message ID; the event context (IP address, user agent) is left out unless you map it. At most 100 KB.
   */
  eventPayload?: {
    [k: string]: unknown
  }
  /**
   * How the workflow request proves who sends it. "API token header" sends X-API-TOKEN; "Basic (username and API token)" sends the Qualtrics username and the API token as HTTP Basic credentials, which Qualtrics JSON Events also accept.
   */
  authMethod?: string
  /**
   * Your Qualtrics username, required when the authentication method is Basic.
   */
  username?: string
  /**
   * When enabled, Segment sends events in batches: contacts are resolved once per batch, transactions go out many to a request, and each event still gets its own result.
   */
  enable_batching?: boolean
  /**
   * The most events in one batch (default 100, at most 1000).
   */
  batch_size?: number
}
