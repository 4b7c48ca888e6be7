import { join } from 'node:path'
import { startLocalRuntime } from '../../src/server/runtime'
import type { LocalRuntime } from '../../src/server/runtime'
import { runResponsesCommand } from './responses'

/** The survey, keys and answer chosen as a trait in the local round trip (the built-in seed's NPS survey). */
export const LOOP = {
  survey: 'SV_sandboxNps0001',
  writeKey: 'loop-write-key-0123456789',
  sharedKey: 'loop-shared-key-0123456789',
  traitAnswer: 'nps_score'
}

export interface LoopOptions {
  /** Holds the tracking and the receiver queues (tracking/, responses/). */
  folder: string
  /** Where the receiver sends its Segment calls: the runtime's own tracking API, or a capture in front of it. */
  segmentApiHost: string
  port?: number
  log?: (line: string) => void
}

/**
 * `npm start`'s runtime in sandbox mode with the receiver on, subscribed to the survey, for the round-trip test and
 * scripts/bench/responses.ts: the receiver sends with the write key the tracking API requires, and the identify's
 * traits (the chosen answer) become the contact's embedded data through upsertContact.
 */
export async function startResponsesLoop(
  options: LoopOptions
): Promise<{ runtime: LocalRuntime; subscribed: string[] }> {
  const runtime = await startLocalRuntime({
    config: { mode: 'sandbox', port: options.port ?? 0, sandboxPort: 0, mappingDefaults: {} },
    log: options.log,
    tracking: { queueFolder: join(options.folder, 'tracking'), writeKey: LOOP.writeKey },
    actionMappingDefaults: { upsertContact: { embeddedData: { '@path': '$.traits' } } },
    responses: {
      queueFolder: join(options.folder, 'responses'),
      env: {
        QUALTRICS_SUBSCRIPTION_KEY: LOOP.sharedKey,
        SEGMENT_WRITE_KEY: LOOP.writeKey,
        SEGMENT_API_HOST: options.segmentApiHost,
        RESPONSES_TRAIT_ANSWERS: LOOP.traitAnswer
      }
    }
  })
  const env = {
    QUALTRICS_API_TOKEN: 'sandbox-token',
    QUALTRICS_DATACENTER: 'iad1',
    QUALTRICS_API_BASE_URL: runtime.sandbox!.url,
    QUALTRICS_SUBSCRIPTION_KEY: LOOP.sharedKey
  }
  const subscribed: string[] = []
  const url = `${runtime.url}/qualtrics/responses`
  await runResponsesCommand(['subscribe', '--survey', LOOP.survey, '--url', url], env, (line) => subscribed.push(line))
  return { runtime, subscribed }
}
