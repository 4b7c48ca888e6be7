/**
 * Writes an Engage audience backfill: the events Engage sends when an audience is first connected, one identify
 * per member with the audience trait true, as the body of `POST /syncAudience` (the action's batch path). Kept as
 * a script so that the repository holds no 1,000-event file.
 *
 *   npx tsx scripts/dev/audience-backfill.ts [--members N] [--external-id POOL_…:CG_…] [--out FILE]
 *   npx tsx scripts/dev/audience-backfill.ts --send [http://127.0.0.1:3000] [--members N] [--external-id …]
 *
 * Defaults: 1,000 members, the sandbox seed's directory and list, `.local/audience-backfill.json`. With `--send`,
 * it posts them to the server itself at a pace the sandbox takes (audience-pacing.ts) instead of writing a file.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pacingSummary, postToServer, sendPaced, waitASandboxMinute } from './audience-pacing'

export const DEFAULT_EXTERNAL_ID = 'POOL_sandbox0000001:CG_sandbox000001'
export const AUDIENCE_KEY = 'cart_abandoners'

/** Member `n` of the audience: a userId and an email of its own, the membership trait true. */
export function backfillEvent(n: number, externalId = DEFAULT_EXTERNAL_ID) {
  const id = String(n).padStart(5, '0')
  return {
    type: 'identify',
    userId: `member-${id}`,
    messageId: `backfill-${id}`,
    timestamp: '2026-11-24T10:00:00.000Z',
    traits: { email: `member-${id}@example.com`, firstName: `Member ${id}`, [AUDIENCE_KEY]: true },
    context: {
      personas: {
        computation_class: 'audience',
        computation_key: AUDIENCE_KEY,
        computation_id: 'aud_example_cart',
        external_audience_id: externalId,
        namespace: 'spa_example',
        space_id: 'spa_example'
      }
    }
  }
}

export function backfill(members: number, externalId = DEFAULT_EXTERNAL_ID) {
  return { payload: Array.from({ length: members }, (_, i) => backfillEvent(i + 1, externalId)) }
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name)
  return at >= 0 ? args[at + 1] : undefined
}

const DEFAULT_SERVER = 'http://127.0.0.1:3000'

async function send(server: string, members: unknown[]): Promise<void> {
  console.log(`sending ${members.length} audience members to ${server}/syncAudience, at most 450 a sandbox minute`)
  const report = await sendPaced(members, {
    post: postToServer(server),
    waitAMinute: waitASandboxMinute(server),
    log: (line) => console.log(line)
  })
  pacingSummary(report).forEach((line) => console.log(line))
  if (report.refused.length > 0 || report.unsent.length > 0) process.exitCode = 1
}

if (require.main === module) {
  const args = process.argv.slice(2)
  const members = Number(option(args, '--members') ?? 1000)
  if (!Number.isInteger(members) || members < 1) {
    console.error(`--members must be a whole number of at least 1, not ${option(args, '--members')}`)
    process.exit(1)
  }
  const { payload } = backfill(members, option(args, '--external-id'))
  if (args.includes('--send')) {
    const given = option(args, '--send')
    send(given?.startsWith('http') ? given.replace(/\/+$/, '') : DEFAULT_SERVER, payload).catch((error: unknown) => {
      console.error((error as Error).message)
      process.exit(1)
    })
  } else {
    const out = option(args, '--out') ?? join(__dirname, '..', '..', '.local', 'audience-backfill.json')
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, JSON.stringify({ payload }))
    console.log(`wrote ${members} audience members to ${out} (POST it to /syncAudience, or use --send: see README)`)
  }
}
