/**
 * `npm run sandbox`: the Qualtrics look-alike on its own, for tools other than `npm start`.
 * Environment: SANDBOX_PORT (default 3001), SANDBOX_SEED (a seed JSON file), SANDBOX_TIME_SCALE (rate-limit clock),
 * SANDBOX_FAULTS (a fault configuration as JSON, e.g. '{"latencyMs":50}'), SANDBOX_INDEX_LAG_MS (how long, on the
 * sandbox clock, a new contact stays out of search and GET; default 0), SANDBOX_PROFILE (`default` or `strict`: how it
 * reads Qualtrics where the evidence allows more than one reading) and SANDBOX_READINGS (switches over it, as JSON).
 * It prints the key its control routes need: this terminal is the one place it is shown.
 */
import { SANDBOX_KEY_HEADER } from './access'
import { sandboxOptionsFromEnv } from './env'
import { DEFAULT_SEED, loadSeedFile } from './seed'
import { startSandbox } from './server'

async function main(): Promise<void> {
  const env = process.env
  const port = env.SANDBOX_PORT ? Number(env.SANDBOX_PORT) : 3001
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SANDBOX_PORT "${env.SANDBOX_PORT}" is not a port`)
  const { seedFile, timeScale, faults, profile, readings } = sandboxOptionsFromEnv(env)
  const seed = seedFile ? loadSeedFile(seedFile) : DEFAULT_SEED
  const sandbox = await startSandbox({ port, seed, timeScale, faults, profile, readings, log: console.error })
  console.log(`Qualtrics sandbox at ${sandbox.url} (API under /API/v3, JSON Events under /inbound-event)`)
  const switched = readings ? ` with ${JSON.stringify(readings)}` : ''
  console.log(`  profile: ${profile ?? 'default'}${switched}; its readings: ${sandbox.url}/__sandbox/readings`)
  console.log(`  state: ${sandbox.url}/__sandbox/state   stats: ${sandbox.url}/__sandbox/stats`)
  console.log(
    `  control routes (reset, faults, clock, survey completion) need the header ${SANDBOX_KEY_HEADER}, new at each start:`
  )
  console.log(`    curl -s -X POST -H '${SANDBOX_KEY_HEADER}: ${sandbox.controlKey}' ${sandbox.url}/__sandbox/reset`)
  console.log(
    `  tokens: ${seed.users.length} seeded user(s); directories: ${seed.directories.map((d) => d.directoryId).join(', ')}`
  )
  const clients = (seed.clients ?? []).map((client) => client.clientId)
  if (clients.length > 0) console.log(`  OAuth clients (POST ${sandbox.url}/oauth2/token): ${clients.join(', ')}`)
  const stop = () => void sandbox.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: Error) => {
  console.error(`Sandbox could not start: ${error.message}`)
  process.exit(1)
})
