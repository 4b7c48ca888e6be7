/**
 * The live check's own small Qualtrics caller: JSON over fetch to one origin, with the API token or an OAuth token,
 * every request recorded (method, path, status) and every secret kept out of what it says.
 */
import type { LiveCredentials } from './options'

export interface RequestRecord {
  method: string
  path: string
  status: number
}

export interface Answer {
  status: number
  body: Record<string, unknown>
}

/** The scope sets asked for in turn, largest first: a client lacking one gets `invalid_scope` and no token at all. */
export const SCOPE_LADDER = [
  ['read:directories', 'read:mailing_lists', 'manage:directory_contacts', 'manage:contact_transactions', 'read:users'],
  ['read:directories', 'read:mailing_lists', 'manage:directory_contacts', 'manage:contact_transactions'],
  ['read:directories', 'manage:directory_contacts']
]

export interface TokenOutcome {
  asked: string[][]
  granted?: string[]
  refusedWith?: string
}

const REQUEST_TIMEOUT_MS = 20_000
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A request that did not answer as the step needs; its message names the call and never a secret. */
export class LiveCheckFailure extends Error {}

export class LiveApi {
  readonly requests: RequestRecord[] = []
  tokenOutcome?: TokenOutcome
  private accessToken?: string

  constructor(
    readonly origin: string,
    private readonly credentials: LiveCredentials,
    private readonly fetchImpl: typeof fetch = fetch
  ) {}

  get authKind(): LiveCredentials['kind'] {
    return this.credentials.kind
  }

  /** Replaces every secret this caller holds with [redacted]: for anything that may be printed. */
  redact(text: string): string {
    const secrets = [this.accessToken]
    if (this.credentials.kind === 'apiToken') secrets.push(this.credentials.apiToken)
    else secrets.push(this.credentials.clientSecret, this.credentials.clientId)
    return secrets.reduce<string>(
      (out, secret) => (secret && secret.length >= 4 ? out.split(secret).join('[redacted]') : out),
      text
    )
  }

  /** `method` on `/API/v3{path}`; answers whatever Qualtrics answered (the caller decides what is a failure). */
  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.authHeader()) }
    if (body !== undefined) headers['content-type'] = 'application/json'
    return this.send(method, `/API/v3${path}`, { headers, body: body === undefined ? undefined : JSON.stringify(body) })
  }

  /** As `call`, but anything other than a 2xx is a LiveCheckFailure naming the call and Qualtrics' message. */
  async expectOk(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const answer = await this.call(method, path, body)
    if (answer.status < 200 || answer.status > 299) throw this.failure(method, path, answer)
    return answer.body
  }

  failure(method: string, path: string, answer: Answer): LiveCheckFailure {
    const meta = isObject(answer.body.meta) ? answer.body.meta : {}
    const error = isObject(meta.error) ? meta.error : {}
    const said = [error.errorCode, error.errorMessage, answer.body.error_description].filter(
      (x) => typeof x === 'string'
    )
    return new LiveCheckFailure(
      this.redact(
        `${method} ${path} answered ${answer.status}${said.length ? `: ${said.join(' ').slice(0, 300)}` : ''}`
      )
    )
  }

  private async authHeader(): Promise<Record<string, string>> {
    if (this.credentials.kind === 'apiToken') return { 'x-api-token': this.credentials.apiToken }
    this.accessToken ??= await this.fetchToken()
    return { authorization: `Bearer ${this.accessToken}` }
  }

  /** Asks for each scope set in turn until one is granted; `tokenOutcome` says what happened. */
  private async fetchToken(): Promise<string> {
    if (this.credentials.kind !== 'oauth') throw new LiveCheckFailure('no OAuth client')
    const basic = Buffer.from(`${this.credentials.clientId}:${this.credentials.clientSecret}`).toString('base64')
    const outcome: TokenOutcome = { asked: [] }
    this.tokenOutcome = outcome
    for (const scopes of SCOPE_LADDER) {
      outcome.asked.push(scopes)
      const form = new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' ') }).toString()
      const headers = { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }
      const answer = await this.send('POST', '/oauth2/token', { headers, body: form })
      if (answer.status === 400 && answer.body.error === 'invalid_scope') {
        outcome.refusedWith = 'invalid_scope'
        continue
      }
      if (answer.status !== 200 || typeof answer.body.access_token !== 'string') {
        throw this.failure('POST', '/oauth2/token', answer)
      }
      const scope = answer.body.scope
      outcome.granted = typeof scope === 'string' && scope.trim() !== '' ? scope.trim().split(/\s+/) : scopes
      return answer.body.access_token
    }
    throw new LiveCheckFailure(
      `POST /oauth2/token refused every scope set asked for (invalid_scope), the smallest being ${SCOPE_LADDER.at(-1)!.join(' ')}: give the OAuth client those scopes`
    )
  }

  private async send(method: string, path: string, init: { headers: Record<string, string>; body?: string }) {
    let response: Response
    try {
      response = await this.fetchImpl(`${this.origin}${path}`, {
        method,
        headers: init.headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
      })
    } catch (error) {
      throw new LiveCheckFailure(this.redact(`${method} ${path} got no answer: ${(error as Error).message}`))
    }
    const text = await response.text()
    let body: unknown
    try {
      body = text === '' ? {} : JSON.parse(text)
    } catch {
      body = {}
    }
    this.requests.push({ method, path, status: response.status })
    return { status: response.status, body: isObject(body) ? body : {} }
  }
}
