import { defaultValues } from '@segment/actions-core'
import type { DestinationDefinition } from '@segment/actions-core'
import { createQualtrics } from '../destinations/qualtrics'
import { DeliveryLog } from './delivery-log'
import { BadRequest, isPlainObject } from './http-utils'
import { MemoryStatsClient } from './stats-api'
import type { Responses } from './responses'
import type { QueueState, TrackingHandler } from './tracking'

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

export interface LocalServerOptions {
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
  /** The embedded sandbox's URL, in sandbox mode: the console's /console/api/sandbox/* routes forward to it. */
  sandboxUrl?: string
  /** The key its control routes need (`Sandbox.controlKey`), which the console's routes add server-side. */
  sandboxKey?: string
  /** Where received events are recorded for the console (one is made when none is given). */
  deliveryLog?: DeliveryLog
  /** Segment's tracking API (tracking/), mounted behind the request guard when given. */
  tracking?: TrackingHandler
  /** The Qualtrics responses receiver (POST /qualtrics/responses), when configured. */
  responses?: Responses
  /** The durable queues' state (folder, counts, unreadable records set aside), for GET /console/api/queues. */
  queues?: () => QueueState[]
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024

/** What every route needs: the definition, and how a request's settings and mappings are completed. */
export interface ServerContext {
  definition: AnyDefinition
  actionSlugs: string[]
  bodyLimit: number
  /** The server's own settings' secrets (API token, OAuth client secret): every response and log line is redacted of them. */
  baseSecrets: string[]
  /** The action's defaults, then the local defaults, under the mapping a request gives. */
  withLocalDefaults(slug: string, mapping: Record<string, unknown>): Record<string, unknown>
  /**
   * The server's settings under the ones a request gives (with `exactly`, the given ones over the fields' defaults);
   * the secrets they hold (API token, OAuth client secret) are added to `secrets`, the request's own list.
   */
  settingsFrom(given: unknown, secrets: string[], exactly?: boolean): Settings
  subscriptions(): LocalSubscription[]
  sandboxUrl?: string
  sandboxKey?: string
  deliveryLog: DeliveryLog
  tracking?: TrackingHandler
  responses?: Responses
  queues?: () => QueueState[]
  /** What the runs counted (actions-core statsContext), served at GET /console/api/stats. */
  stats: MemoryStatsClient
}

/** The secrets a destination's settings hold: what every answer and log line of a request using them is redacted of. */
function secretsOfSettings(settings: Settings): string[] {
  return [settings.apiToken, settings.clientSecret].filter((value): value is string => typeof value === 'string')
}

export function createServerContext(options: LocalServerOptions): ServerContext {
  // A context made without a definition gets an instance of its own, never another context's state.
  const definition = options.definition ?? (createQualtrics() as AnyDefinition)
  const baseSettings = options.settings ?? {}
  const authFields = definition.authentication?.fields ?? {}

  const withLocalDefaults = (slug: string, mapping: Record<string, unknown>): Record<string, unknown> => {
    const fields = definition.actions[slug].fields
    const out = { ...defaultValues(fields), ...mapping }
    const localDefaults = { ...options.mappingDefaults, ...options.actionMappingDefaults?.[slug] }
    for (const [key, value] of Object.entries(localDefaults)) {
      if (key in fields && out[key] === undefined) out[key] = value
    }
    return out
  }

  const settingsFrom = (given: unknown, secrets: string[], exactly = false): Settings => {
    if (given !== undefined && !isPlainObject(given)) throw new BadRequest(400, '"settings" must be an object.')
    // Exactly the given settings, with the defaults a new destination's settings start from (as Segment's UI does).
    const settings = { ...(exactly ? defaultValues(authFields) : baseSettings), ...(given ?? {}) }
    secrets.push(...secretsOfSettings(settings))
    const missing = Object.entries(definition.authentication?.fields ?? {})
      .filter(([key, field]) => field.required && (settings[key] === undefined || settings[key] === ''))
      .map(([key]) => key)
    if (missing.length > 0) {
      throw new BadRequest(
        400,
        `Settings are missing ${missing.join(', ')}: pass "settings" in the body, or start the server with the sandbox (the default) or with QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER.`
      )
    }
    return settings
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

  return {
    definition,
    actionSlugs: Object.keys(definition.actions),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    baseSecrets: secretsOfSettings(baseSettings),
    withLocalDefaults,
    settingsFrom,
    subscriptions,
    sandboxUrl: options.sandboxUrl,
    sandboxKey: options.sandboxKey,
    deliveryLog: options.deliveryLog ?? new DeliveryLog(),
    tracking: options.tracking,
    responses: options.responses,
    queues: options.queues,
    stats: new MemoryStatsClient()
  }
}
