import { existsSync, realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/**
 * A folder no queue in this process may open, nor anything inside it. `npm test` sets it to the project's `.local/`
 * (test/global-setup.ts), so a test or script that forgets its own folder fails instead of taking the events a
 * running or stopped `npm start` keeps there.
 */
export const FORBIDDEN_FOLDER_VARIABLE = 'QUEUE_FORBIDDEN_FOLDER'

/** The path with symbolic links resolved as far as it exists (the rest may be made later). */
function realPath(path: string): string {
  const absolute = resolve(path)
  if (existsSync(absolute)) return realpathSync(absolute)
  const parent = dirname(absolute)
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute))
}

/** True when `folder` is `outer` or lies inside it. */
export function isInside(folder: string, outer: string): boolean {
  const path = relative(realPath(outer), realPath(folder))
  return path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path))
}

/** Throws, before anything is created or opened, when `folder` is inside the folder the environment forbids. */
export function refuseForbiddenFolder(folder: string, env: NodeJS.ProcessEnv = process.env): void {
  const forbidden = env[FORBIDDEN_FOLDER_VARIABLE]?.trim()
  if (!forbidden || !isInside(folder, forbidden)) return
  throw new Error(
    `Refusing to open the queue in ${resolve(folder)}: ${FORBIDDEN_FOLDER_VARIABLE} forbids ${resolve(forbidden)}, ` +
      "which holds npm start's events (npm test sets it). Give this run a temporary queue folder of its own."
  )
}
