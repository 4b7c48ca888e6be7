import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { importsOf, sourceFiles } from '../import-graph'

// The rooms of the local server and what each may import, as docs/architecture.md draws them. Circles are checked
// for the whole tree in test/import-graph.test.ts; this checks the direction of the arrows.
const ROOT = resolve(__dirname, '../..')
const DESTINATION_FACE = 'src/destinations/qualtrics/index.ts'

/** Each room of src/server (by path prefix) and the server files it may import besides its own. */
const ROOMS: Array<{ room: string; mayImport: string[] }> = [
  { room: 'src/server/http/', mayImport: [] },
  { room: 'src/server/tracking/', mayImport: ['src/server/http/'] },
  {
    room: 'src/server/segment/',
    mayImport: [
      'src/server/http/',
      'src/server/context.ts',
      'src/server/delivery-log.ts',
      'src/server/stats.ts',
      'src/server/tracking/index.ts'
    ]
  },
  {
    room: 'src/server/console/',
    mayImport: ['src/server/http/', 'src/server/context.ts', 'src/server/delivery-log.ts']
  }
]

const filesUnder = (folder: string) => sourceFiles(resolve(ROOT, folder)).map((file) => relative(ROOT, file))
const importedBy = (file: string) => importsOf(resolve(ROOT, file)).files.map((target) => relative(ROOT, target))

describe('the rooms of the local server', () => {
  it.each(ROOMS)('$room imports only its own files and $mayImport of the server', ({ room, mayImport }) => {
    const files = filesUnder(room)
    const strays = files.flatMap((file) =>
      importedBy(file)
        .filter((target) => target.startsWith('src/server/'))
        .filter((target) => !target.startsWith(room) && !mayImport.some((allowed) => target.startsWith(allowed)))
        .map((target) => `${file} → ${target}`)
    )
    expect(files.length).toBeGreaterThan(0)
    expect(strays).toEqual([])
  })

  it('the server and the responses source reach the destination through its public face only (its index.ts)', () => {
    const deep = [...filesUnder('src/server'), ...filesUnder('src/sources')].flatMap((file) =>
      importedBy(file)
        .filter((target) => target.startsWith('src/destinations/') && target !== DESTINATION_FACE)
        .map((target) => `${file} → ${target}`)
    )
    expect(deep).toEqual([])
  })

  it('the responses source imports nothing of the server or the sandbox', () => {
    const strays = filesUnder('src/sources').flatMap((file) =>
      importedBy(file)
        .filter((target) => target.startsWith('src/server/') || target.startsWith('src/sandbox/'))
        .map((target) => `${file} → ${target}`)
    )
    expect(strays).toEqual([])
  })

  it('has no file over 300 lines in the server, the responses source or the scripts', () => {
    const long = [...filesUnder('src/server'), ...filesUnder('src/sources'), ...filesUnder('scripts')]
      .map((file) => [file, readFileSync(resolve(ROOT, file), 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 300)
    expect(long).toEqual([])
  })
})
