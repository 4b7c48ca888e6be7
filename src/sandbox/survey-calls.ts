import { requireBrandAdmin } from './authentication'
import type { Answer, Call } from './call'

/** The survey, response and event-subscription endpoints; subscriptions belong to the caller's brand. */

/** Creating one needs a brand administrator in the `brandAdmins` reading, as Qualtrics' reference says. */
export function createSubscription({ store, caller, body, readings }: Call): Answer {
  if (readings.eventSubscriptions === 'brandAdmins') requireBrandAdmin(caller.user, 'create event subscriptions')
  return [200, { result: { id: store.eventSubscriptions.create(caller.user.brandId, body).id } }]
}

export function listSubscriptions({ store, caller }: Call): Answer {
  const subscriptions = store.eventSubscriptions
  return [200, { result: { elements: subscriptions.list(caller.user.brandId).map((s) => subscriptions.shown(s)) } }]
}

export function getSubscription({ store, caller, params }: Call): Answer {
  const subscriptions = store.eventSubscriptions
  return [200, { result: subscriptions.shown(subscriptions.get(caller.user.brandId, params.subscriptionId)) }]
}

export function deleteSubscription({ store, caller, params }: Call): Answer {
  store.eventSubscriptions.delete(caller.user.brandId, params.subscriptionId)
  return [200, {}]
}

export function getResponse({ store, params }: Call): Answer {
  return [200, { result: store.surveys.response(params.surveyId, params.responseId) }]
}

export function getSurveyDefinition({ store, params }: Call): Answer {
  return [200, { result: store.surveys.definition(params.surveyId) }]
}
