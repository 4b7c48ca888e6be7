/**
 * Which HTTP answers a later try may get past: 408, 429 and 5xx but 501, the rule the destination's client applies
 * (src/destinations/qualtrics/client/errors.ts). Repeated here because a source imports only its own code; one rule
 * for both Qualtrics and Segment calls of the receiver.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501)
}
