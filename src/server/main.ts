/**
 * `npm start`: the destination on http://127.0.0.1:3000 with the monorepo CLI's routes. Without Qualtrics
 * credentials in the environment it starts the embedded Qualtrics sandbox and points the destination at it.
 */
import { loadLocalConfig } from './config'
import { startLocalRuntime } from './runtime'
import { responsesQueueFolderFromEnv, trackingConfigFromEnv } from './tracking'

const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`)

async function main(): Promise<void> {
  // Only npm start reads its queues' folders from the environment, or defaults to the project's .local/.
  const runtime = await startLocalRuntime({
    config: loadLocalConfig(process.env),
    log,
    tracking: trackingConfigFromEnv(process.env),
    responses: { env: process.env, queueFolder: responsesQueueFolderFromEnv(process.env) }
  })
  runtime.summary.forEach(log)
  const stop = async () => {
    log('Stopping')
    await runtime.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((error: Error) => {
  console.error(`Could not start: ${error.message}`)
  process.exit(1)
})
