import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError, badRequest } from './errors'
import { fireCallbacks } from './event-subscriptions'
import type { FireOptions } from './event-subscriptions'
import { parseJson, readBody, send } from './http-io'
import { isObject } from './plain-object'
import type { SandboxStore } from './store'
import type { Respondent } from './surveys'

export const SURVEY_INSPECTION_ROUTES = [
  'POST /__sandbox/surveys/{SV}/responses',
  'DELETE /__sandbox/surveys/{SV}/responses/{R}'
]

const PATH = /^\/__sandbox\/surveys\/([^/]+)\/responses(?:\/([^/]+))?$/

/** The respondent: a directory contact by contactId, extRef or email (when `directoryId` is given), or as given. */
function respondentOf(store: SandboxStore, body: Record<string, unknown>): Respondent | undefined {
  const { directoryId, contactId, extRef, email } = body
  if (typeof directoryId !== 'string') return isObject(body.respondent) ? (body.respondent as Respondent) : undefined
  const contact =
    typeof contactId === 'string'
      ? store.getContact(directoryId, contactId)
      : store.searchContacts(directoryId, [
          typeof extRef === 'string'
            ? { filterType: 'extRef', value: extRef }
            : { filterType: 'email', value: String(email) }
        ])[0]
  if (!contact)
    throw badRequest(`No contact in ${directoryId} matches ${JSON.stringify({ contactId, extRef, email })}.`)
  return { extRef: contact.extRef, email: contact.email, firstName: contact.firstName, lastName: contact.lastName }
}

function fireOptions(body: Record<string, unknown>): FireOptions {
  const { redeliveries, redeliveryDelayMs } = body
  if (redeliveries !== undefined && !(Number.isInteger(redeliveries) && (redeliveries as number) >= 0)) {
    throw badRequest('redeliveries must be a whole number, 0 or more (at most 10 are sent).')
  }
  if (redeliveryDelayMs !== undefined && !(typeof redeliveryDelayMs === 'number' && redeliveryDelayMs >= 0)) {
    throw badRequest('redeliveryDelayMs must be a number of milliseconds.')
  }
  return { redeliveries: redeliveries as number | undefined, delayMs: redeliveryDelayMs as number | undefined }
}

/** Completes a response from the request body, then tells the brand's subscribers (redeliveries in the background). */
async function completeAndNotify(store: SandboxStore, surveyId: string, body: unknown) {
  if (!isObject(body) || !isObject(body.answers)) throw badRequest('The body needs "answers": {exportTag: value}.')
  const options = fireOptions(body)
  const embeddedData = isObject(body.embeddedData) ? body.embeddedData : undefined
  const completion = { respondent: respondentOf(store, body), answers: body.answers, embeddedData }
  const response = store.surveys.complete(surveyId, completion, new Date())
  // A survey belongs to a brand: the one given, else the first seeded user's.
  const brandId = typeof body.brandId === 'string' ? body.brandId : store.snapshot().users[0].brandId
  const topic = `surveyengine.completedResponse.${surveyId}`
  const { responseId, values } = response
  const msg = {
    Status: 'Complete',
    SurveyID: surveyId,
    ResponseID: responseId,
    CompletedDate: values.endDate,
    BrandID: brandId
  }
  const subscribers = store.eventSubscriptions.matching(brandId, topic)
  const event = { topic: `${brandId}.${topic}`, msg }
  const callbacks = await fireCallbacks(store.eventSubscriptions, subscribers, event)
  // Redeliveries follow in the background, as a later copy from Qualtrics would.
  if ((options.redeliveries ?? 0) > 0) {
    const later = { redeliveries: (options.redeliveries ?? 1) - 1, delayMs: options.delayMs, firstAttempt: 2 }
    void fireCallbacks(store.eventSubscriptions, subscribers, event, later).catch(() => undefined)
  }
  return { responseId, values, callbacks }
}

/**
 * `POST /__sandbox/surveys/{SV}/responses {directoryId, contactId|extRef|email, answers, embeddedData?,
 * redeliveries?, redeliveryDelayMs?, brandId?}` completes a response as a respondent would, then posts the signed
 * callback to each subscriber (answering once the first copies are answered, with what each subscriber said).
 * `DELETE …/responses/{R}` deletes one, so a callback's later fetch is a 404. False for any other path.
 */
export async function handleSurveyInspection(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  store: SandboxStore
): Promise<boolean> {
  const match = PATH.exec(path)
  if (!match) return false
  const [, surveyId, responseId] = match
  try {
    if (req.method === 'DELETE' && responseId) {
      store.surveys.delete(surveyId, responseId)
      await send(res, 200, { deleted: responseId })
    } else if (req.method === 'POST' && !responseId) {
      await send(res, 200, await completeAndNotify(store, surveyId, parseJson(await readBody(req, 64 * 1024))))
    } else {
      throw new ApiError(405, 'SANDBOX_METHOD', `Routes: ${SURVEY_INSPECTION_ROUTES.join(', ')}`)
    }
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError(500, 'SANDBOX_INTERNAL', (error as Error).message)
    await send(res, apiError.status, { error: apiError.message })
  }
  return true
}
