import { PayloadValidationError } from '@segment/actions-core'
import { getApiOriginOverride } from './local-switches'

/**
 * Checks a workflow's JSON Event URL and returns the URL to post to. Only https URLs on qualtrics.com or one of
 * its subdomains pass: the URL can be mapped from event data, and the token must never be sent anywhere else.
 */
export function resolveWorkflowUrl(raw: unknown): string {
  let url: URL | undefined
  try {
    url = typeof raw === 'string' ? new URL(raw.trim()) : undefined
  } catch {
    url = undefined
  }
  if (!url) {
    throw new PayloadValidationError(
      'Workflow URL is not a valid URL: copy the JSON Event URL from your Qualtrics workflow.'
    )
  }
  const host = url.hostname.toLowerCase()
  const problem =
    url.protocol !== 'https:'
      ? 'it must use https'
      : url.username || url.password
        ? 'it must not carry a user name or password'
        : host !== 'qualtrics.com' && !host.endsWith('.qualtrics.com')
          ? 'its host must be qualtrics.com or a subdomain of it'
          : url.port !== ''
            ? 'it must not name a port'
            : undefined
  if (problem) {
    throw new PayloadValidationError(
      `Workflow URL is not a Qualtrics JSON Event URL: ${problem}. Nothing was sent, and the API token is never sent to other hosts.`
    )
  }
  const override = getApiOriginOverride()
  return override ? `${override}${url.pathname}${url.search}` : url.toString()
}
