// The project's one retry rule and one redaction module, from the Qualtrics client both directions share.
import { isRetryableStatus, redactSecret } from '../../destinations/qualtrics'

/**
 * The few Qualtrics API v3 calls the receiver makes, with an API token. The destination's fuller client is built
 * around actions-core's request and settings; the source takes only its rules (retry, redaction), and the caller
 * hands in the origin (`https://{datacenter}.qualtrics.com`, already checked) and the token.
 */
export interface QualtricsAccess {
  /** e.g. https://iad1.qualtrics.com, or the sandbox on 127.0.0.1. */
  origin: string
  apiToken: string
  timeoutMs?: number
}

/** A Qualtrics call that failed: `temporary` as the shared retry rule says (429, 5xx…) and for network faults. */
export class QualtricsCallError extends Error {
  constructor(
    readonly status: number,
    readonly temporary: boolean,
    message: string
  ) {
    super(message)
  }
}

const DEFAULT_TIMEOUT_MS = 15_000

/**
 * Qualtrics' own error message, when the body has one, with the token taken out before it is cut to 200
 * characters (a cut through the token would leave half of it). It goes into answers, outcomes and logs.
 */
function qualtricsMessage(body: unknown, apiToken: string): string | undefined {
  const error = (body as { meta?: { error?: { errorMessage?: unknown } } } | undefined)?.meta?.error
  return typeof error?.errorMessage === 'string' ? redactSecret(error.errorMessage, apiToken).slice(0, 200) : undefined
}

/** One call: the JSON `result`, or a QualtricsCallError saying what failed (the token is only ever a header). */
export async function callQualtrics(
  access: QualtricsAccess,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown
): Promise<Record<string, unknown>> {
  const url = `${access.origin.replace(/\/+$/, '')}/API/v3${path}`
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers: {
        'x-api-token': access.apiToken,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      // fetch would carry X-API-TOKEN along a redirect to any host: never follow one (a 3xx is a final error).
      redirect: 'manual',
      signal: AbortSignal.timeout(access.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    })
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError'
    throw new QualtricsCallError(0, true, `${method} ${path}: ${timedOut ? 'timed out' : 'could not connect'}`)
  }
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text === '' ? {} : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (!response.ok) {
    const detail = qualtricsMessage(parsed, access.apiToken)
    throw new QualtricsCallError(
      response.status,
      isRetryableStatus(response.status),
      `${method} ${path}: Qualtrics answered ${response.status}${detail ? ` (${detail})` : ''}`
    )
  }
  const result = (parsed as { result?: unknown } | undefined)?.result
  return typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {}
}

/** A survey response as `GET /surveys/{SV}/responses/{R}` gives it. */
export interface SurveyResponse {
  responseId: string
  values: Record<string, unknown>
  labels: Record<string, unknown>
}

export async function fetchResponse(access: QualtricsAccess, surveyId: string, responseId: string) {
  const result = await callQualtrics(
    access,
    'GET',
    `/surveys/${encodeURIComponent(surveyId)}/responses/${encodeURIComponent(responseId)}`
  )
  const object = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  return {
    responseId: typeof result.responseId === 'string' ? result.responseId : responseId,
    values: object(result.values),
    labels: object(result.labels)
  } satisfies SurveyResponse
}

/** What the receiver needs of a survey definition: its name and each question's export tag. */
export interface SurveyOutline {
  name?: string
  exportTags: Record<string, string>
}

export async function fetchSurveyOutline(access: QualtricsAccess, surveyId: string): Promise<SurveyOutline> {
  const result = await callQualtrics(access, 'GET', `/survey-definitions/${encodeURIComponent(surveyId)}`)
  const questions = (result.Questions ?? {}) as Record<string, { DataExportTag?: unknown }>
  const exportTags: Record<string, string> = {}
  for (const [questionId, question] of Object.entries(questions)) {
    const tag = question?.DataExportTag
    if (typeof tag === 'string' && tag.trim() !== '') exportTags[questionId] = tag.trim()
  }
  return { name: typeof result.SurveyName === 'string' ? result.SurveyName : undefined, exportTags }
}

/**
 * Survey outlines, kept for `ttlMs` (default 10 min) so that a burst of completions makes one definition call.
 * A definition that cannot be read is not an error: answers then keep their question ids.
 */
export class SurveyOutlineCache {
  private readonly entries = new Map<string, { at: number; outline: SurveyOutline }>()

  constructor(
    private readonly access: QualtricsAccess,
    private readonly ttlMs = 10 * 60 * 1000,
    private readonly now: () => number = Date.now
  ) {}

  async get(surveyId: string): Promise<SurveyOutline> {
    const hit = this.entries.get(surveyId)
    if (hit && this.now() - hit.at < this.ttlMs) return hit.outline
    try {
      const outline = await fetchSurveyOutline(this.access, surveyId)
      this.entries.set(surveyId, { at: this.now(), outline })
      return outline
    } catch (error) {
      if (error instanceof QualtricsCallError && error.temporary) throw error
      return { exportTags: {} }
    }
  }
}
