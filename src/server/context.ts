import { defaultValues } from '@segment/actions-core'
import type { DestinationDefinition } from '@segment/actions-core'
import { createQualtrics, Redactor } from '../destinations/qualtrics'
import { DeliveryLog } from './delivery-log'
import { BadRequest, isPlainObject } from './http/body'
import { MemoryStatsClient } from './stats'
import type { Responses } from './responses'
import type { QueueState, Tracking } from './tracking'

// The server runs any destination definition; ours is the default. Settings are the definition's own type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDefinition = DestinationDefinition<any>
export type Settings = Record<string, unknown>

/** A trigger and the action it feeds, as Segment stores a mapping (a "subscription"). */
export interface LocalSubscription {
  name: string
  subscribe: string
  partnerAction: string
  mapping: Record<string, unknown>
}

/** The embedded sandbox as the console's proxy reaches it: its URL and the key its control routes need. */
export interface SandboxTarget {
  url: string
  key: string
}

export interface ServerOptions {
  definition?: AnyDefinition
  /** Settings used where a request gives none (the sandbox's, or QUALTRICS_* from the environment). */
  settings?: Settings
  /** Mapping values filled in for fields an action has and a request leaves out (directory, mailing list, workflow). */
  mappingDefaults?: Record<string, unknown>
  /** Per action, values that win over `mappingDefaults` (e.g. transactions kept in a directory of their own). */
  actionMappingDefaults?: Record<string, Record<string, unknown>>
  /** Triggers for POST /events beyond the definition's presets (for example a workflow trigger). */
  extraSubscriptions?: LocalSubscription[]
  bodyLimitBytes?: number
  log?: (line: string) => void
  /** The embedded sandbox, in sandbox mode: the console's /console/api/sandbox/* routes forward to it. */
  sandbox?: SandboxTarget
  /** Web origins whose pages may send to the tracking API (/v1/*) with a browser SDK (LOCAL_SDK_ORIGINS). */
  sdkOrigins?: string[]
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024

/** The settings one request runs with, and the redactor made from them for what the request shows or logs. */
export interface RequestSettings {
  settings: Settings
  redactor: Redactor
}

/** The services the runtime starts beside the routes, handed in once they run (none for a bare server). */
export interface ServerServices {
  /** Segment's tracking API and its durable queue (/v1/*). */
  tracking?: Tracking
  /** The Qualtrics responses receiver (POST /qualtrics/responses), when configured. */
  responses?: Responses
}

/**
 * What every route needs, made once per server (the runtime makes it and hands it to every route and to the
 * tracking API's delivery): the definition, how a request's settings and mappings are completed, and the one
 * delivery log and set of counters every path writes to.
 */
export interface ServerContext {
  definition: AnyDefinition
  actionSlugs: string[]
  bodyLimit: number
  /** The action's defaults, then the local defaults, under the mapping a request gives. */
  withLocalDefaults(slug: string, mapping: Record<string, unknown>): Record<string, unknown>
  /**
   * The server's settings under the ones a request gives (with `exactly`, the given ones over the fields' defaults),
   * and a redactor of the secrets they hold (API token, OAuth client secret) and of the server's own.
   */
  settingsFrom(given: unknown, exactly?: boolean): RequestSettings
  /** A redactor of the server's own secrets only, for a request that runs with no settings. */
  redactor(): Redactor
  subscriptions(): LocalSubscription[]
  sandbox?: SandboxTarget
  sdkOrigins: string[]
  deliveryLog: DeliveryLog
  /** What the runs counted (actions-core statsContext) and the events each path received. */
  stats: MemoryStatsClient
  services: ServerServices
  /** Each durable queue's state, for the console. */
  queues(): QueueState[]
  log: (line: string) => void
}

/** The secrets a destination's settings hold: what every answer and log line of a request using them is redacted of. */
function secretsOfSettings(settings: Settings): string[] {
  return [settings.apiToken, settings.clientSecret].filter((value): value is string => typeof value === 'string')
}

function settingsResolver(definition: AnyDefinition, baseSettings: Settings) {
  const authFields = definition.authentication?.fields ?? {}
  return (given: unknown, exactly = false): RequestSettings => {
    if (given !== undefined && !isPlainObject(given)) throw new BadRequest(400, '"settings" must be an object.')
    // Exactly the given settings, with the defaults a new destination's settings start from (as Segment's UI does).
    const settings = { ...(exactly ? defaultValues(authFields) : baseSettings), ...(given ?? {}) }
    const missing = Object.entries(authFields)
      .filter(([key, field]) => field.required && (settings[key] === undefined || settings[key] === ''))
      .map(([key]) => key)
    if (missing.length > 0) {
      throw new BadRequest(
        400,
        `Settings are missing ${missing.join(', ')}: pass "settings" in the body, or start the server with the sandbox (the default) or with QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER.`
      )
    }
    return { settings, redactor: new Redactor([...secretsOfSettings(baseSettings), ...secretsOfSettings(settings)]) }
  }
}

export function createServerContext(options: ServerOptions = {}): ServerContext {
  // A context made without a definition gets an instance of its own, never another context's state.
  const definition = options.definition ?? (createQualtrics() as AnyDefinition)
  const baseSettings = options.settings ?? {}

  const withLocalDefaults = (slug: string, mapping: Record<string, unknown>): Record<string, unknown> => {
    const fields = definition.actions[slug].fields
    const out = { ...defaultValues(fields), ...mapping }
    const localDefaults = { ...options.mappingDefaults, ...options.actionMappingDefaults?.[slug] }
    for (const [key, value] of Object.entries(localDefaults)) {
      if (key in fields && out[key] === undefined) out[key] = value
    }
    return out
  }

  const subscriptions = (): LocalSubscription[] => [
    ...(definition.presets ?? [])
      .filter((p): p is typeof p & { subscribe: string; partnerAction: string } => 'subscribe' in p && !!p.subscribe)
      .map((p) => ({
        name: p.name ?? p.partnerAction,
        subscribe: p.subscribe,
        partnerAction: p.partnerAction,
        mapping: withLocalDefaults(p.partnerAction, (p.mapping ?? {}) as Record<string, unknown>)
      })),
    ...(options.extraSubscriptions ?? []).map((s) => ({ ...s, mapping: withLocalDefaults(s.partnerAction, s.mapping) }))
  ]

  const services: ServerServices = {}
  return {
    definition,
    actionSlugs: Object.keys(definition.actions),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    withLocalDefaults,
    settingsFrom: settingsResolver(definition, baseSettings),
    redactor: () => new Redactor(secretsOfSettings(baseSettings)),
    subscriptions,
    sandbox: options.sandbox,
    sdkOrigins: options.sdkOrigins ?? [],
    deliveryLog: new DeliveryLog(),
    stats: new MemoryStatsClient(),
    services,
    queues: () => [services.tracking?.queue(), services.responses?.queue()].filter((q): q is QueueState => !!q),
    log: options.log ?? (() => undefined)
  }
}
