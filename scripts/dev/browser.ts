/**
 * The Chromium that the console's browser test and `npm run screenshots` drive through playwright-core (which
 * downloads no browser). In order: CHROMIUM_PATH when set; else a Chrome or Chromium installed on this machine; else
 * the one shipped in the npm package @sparticuz/chromium (a devDependency, Linux x64 only), unpacked on first use
 * into a folder of its own under the system's temporary folder, never into the work tree.
 * CHROMIUM_PATH=npm skips this machine's browsers: the way to try the npm one where a system Chromium is installed.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createBrotliDecompress } from 'node:zlib'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

export const NPM_CHROMIUM = '@sparticuz/chromium'
/** The value of CHROMIUM_PATH that asks for the npm package's Chromium whatever this machine has. */
export const USE_NPM_CHROMIUM = 'npm'

export type ChromiumSource =
  | { kind: 'installed'; path: string; from: string }
  | { kind: 'npm'; packed: string; path: string; version: string }
  | { kind: 'none'; reason: string }

/** Where Chrome and Chromium install themselves, per platform; playwright's own download comes last. */
const INSTALLED: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium'
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium'
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe'
  ]
}

export interface Machine {
  env: Record<string, string | undefined>
  platform: NodeJS.Platform
  arch: string
  exists: (path: string) => boolean
  /** Where playwright-core would look for a browser that `npx playwright install chromium` downloaded. */
  playwrightBrowser: () => string
  /** The npm package's folder and version, or undefined when it is not installed. */
  npmPackage: () => { folder: string; version: string } | undefined
}

function installedNpmPackage(): { folder: string; version: string } | undefined {
  let folder: string
  try {
    // The package exports only its code (build/cjs/index.cjs); its folder is two levels up.
    folder = join(dirname(require.resolve(NPM_CHROMIUM)), '..', '..')
  } catch {
    return undefined
  }
  const { version } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string }
  return { folder, version }
}

export const THIS_MACHINE: Machine = {
  env: process.env,
  platform: process.platform,
  arch: process.arch,
  exists: existsSync,
  playwrightBrowser: () => {
    try {
      return chromium.executablePath()
    } catch {
      return '' // a platform playwright has no download for
    }
  },
  npmPackage: installedNpmPackage
}

const HOW_TO_GET_ONE =
  'Install Chrome or Chromium (Debian: apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary.'

function fromNpm(machine: Machine, why: string): ChromiumSource {
  if (machine.platform !== 'linux' || machine.arch !== 'x64') {
    const where = `${machine.platform}/${machine.arch}`
    return { kind: 'none', reason: `${why}, and ${NPM_CHROMIUM} ships Chromium for Linux x64 only, not ${where}. ` }
  }
  const installed = machine.npmPackage()
  if (installed === undefined)
    return { kind: 'none', reason: `${why}, and ${NPM_CHROMIUM} is not installed (npm ci). ` }
  const { folder, version } = installed
  const path = join(tmpdir(), `npm-chromium-${version}`, 'chromium')
  return { kind: 'npm', packed: join(folder, 'bin', 'chromium.br'), path, version }
}

/** Which Chromium to use on `machine`; throws when CHROMIUM_PATH names a file that is not there. */
export function findChromium(machine: Machine = THIS_MACHINE): ChromiumSource {
  const chosen = machine.env.CHROMIUM_PATH
  if (chosen === USE_NPM_CHROMIUM) return withHint(fromNpm(machine, `CHROMIUM_PATH=${USE_NPM_CHROMIUM}`))
  if (chosen) {
    if (machine.exists(chosen)) return { kind: 'installed', path: chosen, from: 'CHROMIUM_PATH' }
    throw new Error(
      `CHROMIUM_PATH=${chosen}: no such file. Point it at a Chromium binary, set CHROMIUM_PATH=${USE_NPM_CHROMIUM} ` +
        `for the one from npm, or unset it to use this machine's.`
    )
  }
  const candidates = [...(INSTALLED[machine.platform] ?? []), machine.playwrightBrowser()].filter(Boolean)
  const installed = candidates.find((path) => machine.exists(path))
  if (installed) return { kind: 'installed', path: installed, from: 'this machine' }
  return withHint(fromNpm(machine, `No Chrome or Chromium on this machine (looked in ${candidates.join(', ')})`))
}

const withHint = (source: ChromiumSource): ChromiumSource =>
  source.kind === 'none' ? { kind: 'none', reason: source.reason + HOW_TO_GET_ONE } : source

/**
 * The npm package's Chromium, unpacked (brotli) once per version: into a file of this process's own, then renamed
 * into place, so a run that stops half-way or two runs at once never leave a partial binary where the next looks.
 */
export async function unpackNpmChromium(source: { packed: string; path: string }): Promise<string> {
  if (existsSync(source.path)) return source.path
  mkdirSync(dirname(source.path), { recursive: true })
  const partial = `${source.path}.${process.pid}.partial`
  try {
    // Chunks of 1 MB: with the default 16 kB, unpacking the 190 MB binary takes about twice as long.
    const unpack = createBrotliDecompress({ chunkSize: 1 << 20 })
    await pipeline(createReadStream(source.packed), unpack, createWriteStream(partial, { mode: 0o755 }))
    renameSync(partial, source.path)
  } finally {
    rmSync(partial, { force: true })
  }
  return source.path
}

/** Headless Chromium from `findChromium`, or an error that says what is missing and how to get it. */
export async function launchChromium(source: ChromiumSource = findChromium()): Promise<Browser> {
  if (source.kind === 'none') throw new Error(source.reason)
  if (source.kind === 'installed') return chromium.launch({ executablePath: source.path, headless: true })
  const executablePath = await unpackNpmChromium(source)
  try {
    return await chromium.launch({ executablePath, headless: true })
  } catch (error) {
    throw new Error(
      `The Chromium from ${NPM_CHROMIUM} ${source.version} (${executablePath}) did not start; it needs NSS and expat ` +
        `(Debian: apt-get install libnss3 libexpat1). ${HOW_TO_GET_ONE}\n${(error as Error).message}`
    )
  }
}
