// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The JSON Event URL copied from your Qualtrics workflow's JSON Event trigger: https on a host ending in .qualtrics.com (such as iad1.qualtrics.com), the path /inbound-event/v1/events/json/triggers (older URLs spell it JSON) and a urlTokenId (triggerId in older URLs) in the query. Any other URL is refused and nothing is sent, so the API token never goes anywhere else. JSON Event triggers do not accept OAuth: they take the API token, as the X-API-TOKEN header or with Basic authentication.
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
