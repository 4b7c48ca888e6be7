/**
 * `npm run responses -- <command>`: Qualtrics survey responses into Segment with only a write key.
 *   subscribe --survey SV_… [--url https://…/qualtrics/responses]   register the receiver for a survey's completions
 *   list                                                            the event subscriptions the token can see
 *   unsubscribe --id SUB_…                                          remove one
 *   serve [--port 3002]                                             run only the receiver (POST /qualtrics/responses)
 * Qualtrics credentials as for `npm start` (QUALTRICS_API_TOKEN, QUALTRICS_DATACENTER, QUALTRICS_API_BASE_URL);
 * the receiver's own settings: QUALTRICS_SUBSCRIPTION_KEY, SEGMENT_WRITE_KEY, SEGMENT_API_HOST (docs/responses.md).
 */
import { checkApiOrigin } from '../../src/destinations/qualtrics/client'
import { loadLocalConfig } from '../../src/server/config'
import { responsesQueueFolderFromEnv } from '../../src/server/tracking'
import { listSubscriptions, newSharedKey, subscribe, unsubscribe } from '../../src/sources/qualtrics-responses'
import type { QualtricsAccess } from '../../src/sources/qualtrics-responses'
import { serveResponses } from './serve'

const USAGE =
  'Usage: npm run responses -- subscribe --survey SV_… [--url https://…/qualtrics/responses] | list | ' +
  'unsubscribe --id … | serve [--port N]'

/** The Qualtrics origin and token from the same environment `npm start` reads (the datacenter checked there). */
export function qualtricsAccessFromEnv(env: NodeJS.ProcessEnv): QualtricsAccess {
  const config = loadLocalConfig(env)
  if (config.mode !== 'qualtrics' || !config.settings) {
    throw new Error(
      'Set QUALTRICS_API_TOKEN and QUALTRICS_DATACENTER (and QUALTRICS_API_BASE_URL=http://127.0.0.1:3001 for a sandbox).'
    )
  }
  // A local API origin must be a loopback one, the same rule as npm start's.
  const origin = checkApiOrigin(config.apiBaseUrl) ?? `https://${config.settings.datacenter}.qualtrics.com`
  return { origin, apiToken: config.settings.apiToken }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}

/** Runs one command; `out` gets what a person reads. Resolves to the exit code (serve resolves once listening). */
export async function runResponsesCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void
): Promise<{ code: number; close?: () => Promise<void> }> {
  const [command] = args
  const access = qualtricsAccessFromEnv(env)
  if (command === 'subscribe') {
    const surveyId = option(args, 'survey')
    const url = option(args, 'url') ?? env.RESPONSES_PUBLIC_URL
    if (!surveyId || !url)
      throw new Error(`subscribe needs --survey SV_… and --url (or RESPONSES_PUBLIC_URL). ${USAGE}`)
    const given = env.QUALTRICS_SUBSCRIPTION_KEY?.trim()
    const sharedKey = given || newSharedKey()
    const id = await subscribe(access, surveyId, url, sharedKey)
    out(`Subscribed ${id}: completed responses of ${surveyId} → ${url}`)
    // A generated key is shown once, here, so it can be handed to the receiver; it is never logged afterwards.
    if (!given) out(`Shared key (set it where the receiver runs): QUALTRICS_SUBSCRIPTION_KEY=${sharedKey}`)
    return { code: 0 }
  }
  if (command === 'list') {
    const subscriptions = await listSubscriptions(access)
    if (subscriptions.length === 0) out('No event subscriptions.')
    subscriptions.forEach((s) => out(`${s.id}  ${s.topics}  → ${s.publicationUrl}`))
    return { code: 0 }
  }
  if (command === 'unsubscribe') {
    const id = option(args, 'id')
    if (!id) throw new Error(`unsubscribe needs --id. ${USAGE}`)
    await unsubscribe(access, id)
    out(`Removed ${id}`)
    return { code: 0 }
  }
  if (command === 'serve') {
    const port = Number(option(args, 'port') ?? env.RESPONSES_PORT ?? 3002)
    const queueFolder = responsesQueueFolderFromEnv(env)
    const served = await serveResponses({ env, qualtrics: access, port, log: out, queueFolder })
    served.responses.summary.forEach(out)
    out(`Receiver listening at ${served.url}/qualtrics/responses (127.0.0.1 only: expose it through HTTPS)`)
    return { code: 0, close: served.close }
  }
  throw new Error(USAGE)
}

if (require.main === module) {
  const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`)
  runResponsesCommand(process.argv.slice(2), process.env, log)
    .then(({ close }) => {
      if (!close) return
      const stop = () => void close().then(() => process.exit(0))
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    .catch((error: Error) => {
      console.error(error.message)
      process.exit(1)
    })
}
