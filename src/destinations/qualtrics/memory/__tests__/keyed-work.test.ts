import { KeyedWork } from '../keyed-work'
import '../../__tests__/__helpers__/harness'

/** A promise the test settles when it chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('KeyedWork', () => {
  it('shared: callers for one key join the work under way, and a new start follows once it settles', async () => {
    const work = new KeyedWork()
    const first = deferred<string>()
    const start = jest.fn(() => first.promise)
    const [a, b] = [work.shared('k', start), work.shared('k', start)]
    expect(start).toHaveBeenCalledTimes(1)
    expect(work.size).toBe(1)
    first.resolve('token')
    expect(await Promise.all([a, b])).toEqual(['token', 'token'])
    await tick()
    expect(work.size).toBe(0)
    await work.shared('k', async () => 'next')
    expect(start).toHaveBeenCalledTimes(1)
  })

  it('shared: a failure reaches every caller and is not kept', async () => {
    const work = new KeyedWork()
    const failing = deferred<string>()
    const calls = [work.shared('k', () => failing.promise), work.shared('k', () => failing.promise)]
    failing.reject(new Error('refused'))
    for (const call of calls) await expect(call).rejects.toThrow('refused')
    await tick()
    expect(await work.shared('k', async () => 'again')).toBe('again')
  })

  it('exclusive: work holding any of the same keys waits; other keys do not', async () => {
    const work = new KeyedWork()
    const order: string[] = []
    const first = deferred<void>()
    const a = work.exclusive(['email:a', 'extRef:1'], async () => {
      order.push('a starts')
      await first.promise
      order.push('a ends')
    })
    const b = work.exclusive(['extRef:1'], async () => void order.push('b runs'))
    const c = work.exclusive(['email:c'], async () => void order.push('c runs'))
    await c
    expect(order).toEqual(['a starts', 'c runs'])
    first.resolve()
    await Promise.all([a, b])
    expect(order).toEqual(['a starts', 'c runs', 'a ends', 'b runs'])
    await tick()
    expect(work.size).toBe(0)
  })

  it('exclusive: a failed holder releases its keys', async () => {
    const work = new KeyedWork()
    await expect(work.exclusive(['k'], async () => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(await work.exclusive(['k'], async () => 'ran')).toBe('ran')
  })
})
