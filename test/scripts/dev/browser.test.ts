import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import { findChromium, launchChromium, THIS_MACHINE, unpackNpmChromium } from '../../../scripts/dev/browser'
import type { Machine } from '../../../scripts/dev/browser'

const PACKAGE = '/project/node_modules/@sparticuz/chromium'

/** A Linux x64 machine with the npm package installed and, unless told, no browser of its own. */
function machine(overrides: Partial<Machine> & { files?: string[] } = {}): Machine {
  const files = new Set(overrides.files ?? [])
  return {
    env: {},
    platform: 'linux',
    arch: 'x64',
    exists: (path) => files.has(path),
    playwrightBrowser: () => '/root/.cache/ms-playwright/chromium-1/chrome-linux64/chrome',
    npmPackage: () => ({ folder: PACKAGE, version: '147.0.0' }),
    ...overrides
  }
}

describe('which Chromium the browser test and the screenshots use', () => {
  it('takes CHROMIUM_PATH first, over a browser on the machine', () => {
    const found = findChromium(
      machine({ env: { CHROMIUM_PATH: '/opt/mine/chrome' }, files: ['/opt/mine/chrome', '/usr/bin/chromium'] })
    )
    expect(found).toEqual({ kind: 'installed', path: '/opt/mine/chrome', from: 'CHROMIUM_PATH' })
  })

  it('refuses a CHROMIUM_PATH that names no file, and says what to do instead', () => {
    expect(() =>
      findChromium(machine({ env: { CHROMIUM_PATH: '/nonexistent' }, files: ['/usr/bin/chromium'] }))
    ).toThrow(/CHROMIUM_PATH=\/nonexistent: no such file.*CHROMIUM_PATH=npm/)
  })

  it("finds this machine's Chromium or Chrome in the usual places, then playwright's download", () => {
    expect(findChromium(machine({ files: ['/usr/bin/chromium-browser', '/usr/bin/google-chrome'] }))).toMatchObject({
      kind: 'installed',
      path: '/usr/bin/chromium-browser'
    })
    const playwrights = '/root/.cache/ms-playwright/chromium-1/chrome-linux64/chrome'
    expect(findChromium(machine({ files: [playwrights] }))).toMatchObject({ kind: 'installed', path: playwrights })
  })

  it("falls back to the npm package's Chromium, unpacked under the temporary folder, never the work tree", () => {
    const found = findChromium(machine())
    expect(found).toMatchObject({ kind: 'npm', packed: join(PACKAGE, 'bin', 'chromium.br') })
    if (found.kind !== 'npm') throw new Error('not npm')
    expect(found.path.startsWith(tmpdir())).toBe(true)
    expect(found.path.startsWith(resolve(__dirname, '..', '..', '..'))).toBe(false)
    expect(found.path).toBe(join(tmpdir(), 'npm-chromium-147.0.0', 'chromium'))
  })

  it('uses the npm one with CHROMIUM_PATH=npm even where the machine has a browser', () => {
    const found = findChromium(machine({ env: { CHROMIUM_PATH: 'npm' }, files: ['/usr/bin/chromium'] }))
    expect(found.kind).toBe('npm')
  })

  it('says, where no browser can be had, why and how to get one', () => {
    const mac = findChromium(machine({ platform: 'darwin', arch: 'arm64' }))
    expect(mac).toMatchObject({ kind: 'none' })
    if (mac.kind !== 'none') throw new Error('found one')
    expect(mac.reason).toMatch(/No Chrome or Chromium on this machine \(looked in \/Applications\/Google Chrome\.app/)
    expect(mac.reason).toMatch(/Linux x64 only, not darwin\/arm64.*point CHROMIUM_PATH at a Chromium binary/)
    const withoutPackage = findChromium(machine({ npmPackage: () => undefined }))
    expect(withoutPackage).toMatchObject({ kind: 'none', reason: expect.stringContaining('is not installed (npm ci)') })
  })
})

describe("unpacking the npm package's Chromium", () => {
  let folder: string
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'npm-chromium-test-'))))
  afterEach(() => rmSync(folder, { recursive: true, force: true }))

  it('unpacks once into an executable file, leaving nothing half-written behind', async () => {
    const packed = join(folder, 'chromium.br')
    writeFileSync(packed, brotliCompressSync(Buffer.from('#!/bin/sh\necho pretend\n')))
    const source = { packed, path: join(folder, 'unpacked', 'chromium') }
    expect(await unpackNpmChromium(source)).toBe(source.path)
    expect(readFileSync(source.path, 'utf8')).toBe('#!/bin/sh\necho pretend\n')
    expect(statSync(source.path).mode & 0o111).not.toBe(0)
    expect(readdirSync(join(folder, 'unpacked'))).toEqual(['chromium'])
    // Once there, it is used as it is: a later change to the package's file is not unpacked again.
    writeFileSync(packed, brotliCompressSync(Buffer.from('other')))
    await unpackNpmChromium(source)
    expect(readFileSync(source.path, 'utf8')).toBe('#!/bin/sh\necho pretend\n')
  })

  it('leaves no partial file when the packed file is damaged', async () => {
    const packed = join(folder, 'chromium.br')
    writeFileSync(packed, 'not brotli at all')
    mkdirSync(join(folder, 'unpacked'))
    const source = { packed, path: join(folder, 'unpacked', 'chromium') }
    await expect(unpackNpmChromium(source)).rejects.toThrow()
    expect(readdirSync(join(folder, 'unpacked'))).toEqual([])
  })

  const linuxX64 = process.platform === 'linux' && process.arch === 'x64'
  ;(linuxX64 ? it : it.skip)('starts the real one from npm and opens a page (whatever this machine has)', async () => {
    const source = findChromium({ ...THIS_MACHINE, env: { CHROMIUM_PATH: 'npm' } })
    const browser = await launchChromium(source)
    try {
      const page = await browser.newPage()
      await page.setContent('<title>from npm</title>')
      expect(await page.title()).toBe('from npm')
    } finally {
      await browser.close()
    }
  })
})
