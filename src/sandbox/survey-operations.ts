import { ApiError } from './errors'
import type { Call } from './operations'
import type { Endpoint } from './rate-limits'
import type { SandboxStore } from './store'

/** The survey and event-subscription endpoints (ENDPOINTS has them too, for limits and statistics). */
export const SURVEY_ENDPOINTS = [
  'eventsubscriptions.create',
  'eventsubscriptions.list',
  'eventsubscriptions.get',
  'eventsubscriptions.delete',
  'responses.get',
  'surveydefinitions.get'
] as const
export type SurveyEndpoint = (typeof SURVEY_ENDPOINTS)[number]

export function isSurveyEndpoint(endpoint: Endpoint): endpoint is SurveyEndpoint {
  return (SURVEY_ENDPOINTS as readonly string[]).includes(endpoint)
}

/** Runs a survey or event-subscription call; subscriptions belong to the caller's brand. */
export function performSurveyCall(
  store: SandboxStore,
  call: Call & { route: { endpoint: SurveyEndpoint } }
): [number, Record<string, unknown>] {
  const [first, second] = call.route.params
  const brandId = call.caller.user.brandId
  const subscriptions = store.eventSubscriptions
  switch (call.route.endpoint) {
    case 'eventsubscriptions.create':
      return [200, { result: { id: subscriptions.create(brandId, call.body).id } }]
    case 'eventsubscriptions.list':
      return [200, { result: { elements: subscriptions.list(brandId).map((s) => subscriptions.shown(s)) } }]
    case 'eventsubscriptions.get':
      return [200, { result: subscriptions.shown(subscriptions.get(brandId, first)) }]
    case 'eventsubscriptions.delete':
      subscriptions.delete(brandId, first)
      return [200, {}]
    case 'responses.get':
      return [200, { result: store.surveys.response(first, second) }]
    case 'surveydefinitions.get':
      return [200, { result: store.surveys.definition(first) }]
    default:
      throw new ApiError(500, 'SANDBOX_INTERNAL', 'Not a survey endpoint.')
  }
}
