import { badRequest, notFound } from './errors'
import { isObject, newId } from './plain-object'
import type { SeedQuestion, SeedResponse, SeedSurvey } from './seed-types'

/** Who answered: the contact a distribution reached, when there was one (else an anonymous link). */
export interface Respondent {
  extRef?: string
  email?: string
  firstName?: string
  lastName?: string
}

/** What `POST /__sandbox/surveys/{SV}/responses` asks for: answers by export tag or question id. */
export interface Completion {
  respondent?: Respondent
  answers: Record<string, unknown>
  embeddedData?: Record<string, unknown>
}

interface SurveyState {
  surveyId: string
  name: string
  questions: SeedQuestion[]
  responses: Map<string, SeedResponse>
}

/** The answer's key among `values`: QID1 for a number, QID1_TEXT for text, as Qualtrics names them. */
const valueKey = (question: SeedQuestion) =>
  question.type === 'text' ? `${question.questionId}_TEXT` : question.questionId

/** Survey definitions and responses (no HTTP): what the responses and survey-definitions routes read. */
export class SurveyBook {
  private readonly surveys = new Map<string, SurveyState>()

  constructor(seeds: SeedSurvey[] = []) {
    for (const seed of seeds) {
      this.surveys.set(seed.surveyId, {
        surveyId: seed.surveyId,
        name: seed.name ?? seed.surveyId,
        questions: seed.questions ?? [],
        responses: new Map((seed.responses ?? []).map((r) => [r.responseId, { ...r, labels: r.labels ?? {} }]))
      })
    }
  }

  /** `GET /survey-definitions/{SV}`: the parts a client reads (name, questions with their export tags). */
  definition(surveyId: string) {
    const survey = this.survey(surveyId)
    const Questions = Object.fromEntries(
      survey.questions.map((q) => [
        q.questionId,
        {
          QuestionID: q.questionId,
          DataExportTag: q.exportTag ?? q.questionId,
          QuestionText: q.text ?? '',
          QuestionType: q.type === 'text' ? 'TE' : 'MC'
        }
      ])
    )
    return { SurveyID: survey.surveyId, SurveyName: survey.name, Questions }
  }

  /** `GET /surveys/{SV}/responses/{R}`: 404 for an unknown or deleted response. */
  response(surveyId: string, responseId: string) {
    const response = this.survey(surveyId).responses.get(responseId)
    if (!response) throw notFound(`Response ${responseId} not found in survey ${surveyId}.`)
    const displayedFields = Object.keys(response.values).filter((key) => key.startsWith('QID'))
    return { responseId, values: response.values, labels: response.labels ?? {}, displayedFields }
  }

  /** Records a completed response; answers not given stay out of `values`, as Qualtrics leaves unanswered ones. */
  complete(surveyId: string, completion: Completion, now: Date): SeedResponse {
    const survey = this.survey(surveyId)
    const values: Record<string, unknown> = {}
    const labels: Record<string, unknown> = {}
    const iso = now.toISOString()
    Object.assign(values, {
      startDate: new Date(now.getTime() - 60_000).toISOString(),
      endDate: iso,
      status: 0,
      progress: 100,
      duration: 60,
      finished: 1,
      recordedDate: iso,
      distributionChannel: completion.respondent ? 'email' : 'anonymous',
      userLanguage: 'EN'
    })
    const who = completion.respondent ?? {}
    if (who.email) values.recipientEmail = who.email
    if (who.firstName) values.recipientFirstName = who.firstName
    if (who.lastName) values.recipientLastName = who.lastName
    if (who.extRef) values.externalDataReference = who.extRef
    for (const [name, value] of Object.entries(completion.answers)) {
      const question = survey.questions.find((q) => q.exportTag === name || q.questionId === name)
      if (!question) throw badRequest(`Survey ${surveyId} has no question with export tag or id "${name}".`)
      values[valueKey(question)] = value
      if (question.type !== 'text') labels[question.questionId] = String(value)
    }
    for (const [name, value] of Object.entries(completion.embeddedData ?? {})) values[name] = value
    const response: SeedResponse = { responseId: newId('R'), values, labels }
    values._recordId = response.responseId
    survey.responses.set(response.responseId, response)
    return response
  }

  /** Removes a response (the callback may still be on its way: a later GET is a 404). */
  delete(surveyId: string, responseId: string): void {
    if (!this.survey(surveyId).responses.delete(responseId)) throw notFound(`Response ${responseId} not found.`)
  }

  snapshot() {
    return [...this.surveys.values()].map((s) => ({
      surveyId: s.surveyId,
      name: s.name,
      questions: s.questions,
      responses: [...s.responses.values()]
    }))
  }

  private survey(surveyId: string): SurveyState {
    const survey = this.surveys.get(surveyId)
    if (!survey) throw notFound(`Survey ${surveyId} not found.`)
    return survey
  }
}

/** Checks the seed's `surveys` and says which entry is wrong. */
export function parseSurveys(value: unknown, fail: (where: string, problem: string) => never): SeedSurvey[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) fail('surveys', 'must be a list')
  return value.map((survey, i) => {
    const where = `surveys[${i}]`
    if (!isObject(survey) || typeof survey.surveyId !== 'string' || !/^SV_[A-Za-z0-9]+$/.test(survey.surveyId)) {
      fail(where, 'must be an object with a surveyId "SV_…"')
    }
    const questions = survey.questions ?? []
    if (!Array.isArray(questions)) fail(`${where}.questions`, 'must be a list')
    questions.forEach((q, j) => {
      if (!isObject(q) || typeof q.questionId !== 'string' || !/^QID\d+$/.test(q.questionId)) {
        fail(`${where}.questions[${j}]`, 'must be an object with a questionId "QID<n>"')
      }
      if (q.type !== undefined && q.type !== 'number' && q.type !== 'text') {
        fail(`${where}.questions[${j}].type`, 'must be "number" or "text"')
      }
    })
    const responses = survey.responses ?? []
    if (!Array.isArray(responses)) fail(`${where}.responses`, 'must be a list')
    responses.forEach((r, j) => {
      if (!isObject(r) || typeof r.responseId !== 'string' || !isObject(r.values)) {
        fail(`${where}.responses[${j}]`, 'must be an object with a responseId and values')
      }
    })
    return survey as unknown as SeedSurvey
  })
}
