import { PayloadValidationError } from '@segment/actions-core'
import { checkQualtricsUrl } from './qualtrics-url'

/** The JSON Event path a workflow's trigger URL has (older URLs spell it `JSON`). */
export const JSON_EVENT_PATH = '/inbound-event/v1/events/json/triggers'
/** The query parameter that names the trigger: `urlTokenId` today, `triggerId` in older URLs. */
const TRIGGER_PARAMS = ['urlTokenId', 'triggerId']

/** The checked parts of a workflow URL, from which the URL that is sent is built. */
export interface WorkflowUrlParts {
  /** Lower-case DNS name ending in .qualtrics.com. */
  host: string
  /** The JSON Event path, in the letter case the user gave (one of the spellings of JSON_EVENT_PATH). */
  path: string
  /** The query re-encoded from its decoded parameters. */
  query: string
}

function refuse(problem: string): never {
  throw new PayloadValidationError(
    `Workflow URL is not a Qualtrics JSON Event URL: ${problem}. Nothing was sent, and the API token is never sent to other hosts.`
  )
}

/** Re-encodes the query from its decoded parameters, so nothing the user typed reaches the request line as is. */
function checkQuery(rawQuery: string): string {
  const params = new URLSearchParams(rawQuery)
  if (!TRIGGER_PARAMS.some((name) => (params.get(name) ?? '').trim() !== '')) {
    refuse('its query must name the trigger with urlTokenId (or triggerId in older URLs)')
  }
  return params.toString()
}

/**
 * Splits and checks a workflow's JSON Event URL: https, a host under qualtrics.com, the JSON Event path and a
 * trigger id. The URL can be mapped from event data, so anything else is refused before a request exists.
 */
export function parseWorkflowUrl(raw: unknown): WorkflowUrlParts {
  const checked = checkQualtricsUrl(raw)
  if ('notAUrl' in checked) {
    throw new PayloadValidationError(
      'Workflow URL is not a valid URL: copy the JSON Event URL from your Qualtrics workflow.'
    )
  }
  if ('problem' in checked) refuse(checked.problem)
  const { host, path, query } = checked.parts
  if (path.toLowerCase() !== JSON_EVENT_PATH) {
    refuse(`its path must be the JSON Event path ${JSON_EVENT_PATH}, not another Qualtrics address`)
  }
  return { host, path, query: checkQuery(query) }
}

/**
 * The URL a workflow event is posted to, built from the checked parts of the user's URL (never the user's string
 * itself). With a local API origin (a checked loopback origin, see client-state.ts), the same path and query go there.
 */
export function resolveWorkflowUrl(raw: unknown, apiOrigin?: string): string {
  const { host, path, query } = parseWorkflowUrl(raw)
  return `${apiOrigin ?? `https://${host}`}${path}?${query}`
}
