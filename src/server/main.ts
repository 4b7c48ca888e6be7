/**
 * `npm start`: the destination on http://127.0.0.1:3000 with the monorepo CLI's routes. Without Qualtrics
 * credentials in the environment it starts the embedded Qualtrics sandbox and points the destination at it.
 */
import { setApiOriginOverride } from '../destinations/qualtrics/qualtrics-client'
import { DEFAULT_SEED, startSandbox, type Sandbox } from '../sandbox'
import { loadLocalConfig, workflowSubscription } from './config'
import { startLocalServer, type LocalServerOptions } from './local-server'

const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`)

async function main(): Promise<void> {
  const config = loadLocalConfig(process.env)
  let sandbox: Sandbox | undefined
  const options: LocalServerOptions = { log, mappingDefaults: config.mappingDefaults }

  if (config.mode === 'sandbox') {
    sandbox = await startSandbox({ port: config.sandboxPort, seed: DEFAULT_SEED })
    setApiOriginOverride(sandbox.url)
    const user = DEFAULT_SEED.users[0]
    const directory = DEFAULT_SEED.directories[0]
    const workflow = DEFAULT_SEED.workflows[0]
    options.settings = { apiToken: user.token, datacenter: 'iad1' }
    options.mappingDefaults = {
      directoryId: directory.directoryId,
      mailingListId: directory.mailingLists?.[0]?.mailingListId,
      workflowUrl: `https://iad1.qualtrics.com/inbound-event/v1/events/json/triggers?urlTokenId=${workflow.urlTokenId}`
    }
    options.extraSubscriptions = [workflowSubscription()]
    log(`No QUALTRICS_API_TOKEN/QUALTRICS_DATACENTER: using the embedded Qualtrics sandbox at ${sandbox.url}`)
    log(`  inspect what it stores: ${sandbox.url}/__sandbox/state`)
    log(`  directory ${directory.directoryId}, mailing list ${options.mappingDefaults.mailingListId}`)
  } else {
    if (config.apiBaseUrl) setApiOriginOverride(config.apiBaseUrl)
    options.settings = config.settings
    if (config.mappingDefaults.workflowUrl) options.extraSubscriptions = [workflowSubscription()]
    log(
      `Talking to Qualtrics datacenter ${config.settings?.datacenter}${config.apiBaseUrl ? ` via ${config.apiBaseUrl}` : ''}`
    )
  }

  const server = await startLocalServer({ ...options, port: config.port })
  log(`Qualtrics destination listening at ${server.url} (GET ${server.url}/ lists the routes)`)

  const stop = async () => {
    log('Stopping')
    await server.close()
    await sandbox?.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((error: Error) => {
  console.error(`Could not start: ${error.message}`)
  process.exit(1)
})
