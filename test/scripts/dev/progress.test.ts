import { createProgress, showsProgress } from '../../../scripts/dev/progress'

function stream(isTTY: boolean | undefined) {
  const written: string[] = []
  return { written, isTTY, write: (text: string) => written.push(text) }
}

describe('progress line', () => {
  it('shows only on a terminal', () => {
    expect(showsProgress({ isTTY: true })).toBe(true)
    expect(showsProgress({ isTTY: false })).toBe(false)
    expect(showsProgress({})).toBe(false)
  })

  it('writes nothing at all when stderr is piped', () => {
    const piped = stream(undefined)
    const progress = createProgress(piped)
    progress.update('10/100')
    progress.done()
    expect(piped.written).toEqual([])
  })

  it('rewrites one line on a terminal, no more often than asked, and clears it when done', () => {
    const terminal = stream(true)
    let clock = 0
    const progress = createProgress(terminal, 100, () => clock)
    progress.update('1/3')
    clock = 50
    progress.update('2/3') // too soon: skipped
    clock = 150
    progress.update('3/3')
    progress.done()
    expect(terminal.written).toEqual(['\r\x1b[2K1/3', '\r\x1b[2K3/3', '\r\x1b[2K'])
  })
})
