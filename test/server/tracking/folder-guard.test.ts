import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import {
  DEFAULT_QUEUE_FOLDER,
  DEFAULT_RESPONSES_QUEUE_FOLDER,
  EventQueue,
  FORBIDDEN_FOLDER_VARIABLE,
  isInside,
  LOCAL_FOLDER,
  startTracking
} from '../../../src/server/tracking'
import { snapshotTree } from '../../work-tree'
import { tempFolder } from './helpers'

// `npm test` forbids the project's .local/ to every queue (test/global-setup.ts): a test or script that forgets to
// pass a folder of its own fails, instead of taking the events npm start keeps there.

const deliver = async () => []

describe('in a test run, the project’s .local/ is out of bounds', () => {
  it('is forbidden by the environment every test file gets', () => {
    expect(process.env[FORBIDDEN_FOLDER_VARIABLE]).toBe(LOCAL_FOLDER)
  })

  it.each([
    ['the tracking queue', DEFAULT_QUEUE_FOLDER],
    ['the responses queue', DEFAULT_RESPONSES_QUEUE_FOLDER],
    ['any folder inside it', join(LOCAL_FOLDER, 'elsewhere', 'queue')]
  ])('refuses %s before creating or opening anything', async (_, folder) => {
    const before = snapshotTree(LOCAL_FOLDER)
    await expect(EventQueue.open({ folder })).rejects.toThrow(
      `Refusing to open the queue in ${folder}: ${FORBIDDEN_FOLDER_VARIABLE} forbids ${LOCAL_FOLDER}`
    )
    await expect(startTracking({ queueFolder: folder, deliver })).rejects.toThrow('Refusing to open the queue')
    expect(snapshotTree(LOCAL_FOLDER)).toEqual(before)
  })
})

describe('isInside', () => {
  let scratch: ReturnType<typeof tempFolder>
  beforeEach(() => (scratch = tempFolder()))
  afterEach(() => scratch.remove())

  it('takes the folder itself and what lies below it, not a sibling whose name starts the same', () => {
    const local = join(scratch.folder, '.local')
    expect(isInside(local, local)).toBe(true)
    expect(isInside(join(local, 'queue'), local)).toBe(true)
    expect(isInside(join(local, 'a', '..', 'queue'), local)).toBe(true)
    expect(isInside(`${local}-other`, local)).toBe(false)
    expect(isInside(join(local, '..', 'queue'), local)).toBe(false)
    expect(isInside(scratch.folder, local)).toBe(false)
  })

  it('sees through a symbolic link to the forbidden folder', () => {
    const local = join(scratch.folder, '.local')
    mkdirSync(local)
    symlinkSync(local, join(scratch.folder, 'alias'))
    expect(isInside(join(scratch.folder, 'alias', 'queue'), local)).toBe(true)
  })
})
