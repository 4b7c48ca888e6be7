/**
 * One updating status line for the long scripts (bench, faults, load): shown on a terminal, silent when stderr is
 * piped or redirected, so logs and CI output keep only the scripts' own lines.
 */

export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

export interface Progress {
  /** Replaces the line (at most every `intervalMs`, and never when the stream is not a terminal). */
  update(line: string): void
  /** Clears the line, so what is printed next starts on a clean one. */
  done(): void
}

/** A terminal gets the line; a pipe or a file does not (a carriage return there only makes noise). */
export function showsProgress(stream: Pick<ProgressStream, 'isTTY'>): boolean {
  return stream.isTTY === true
}

const CLEAR_LINE = '\r\x1b[2K'

export function createProgress(
  stream: ProgressStream = process.stderr,
  intervalMs = 100,
  now: () => number = Date.now
): Progress {
  if (!showsProgress(stream)) return { update: () => undefined, done: () => undefined }
  let shown = false
  let last = -Infinity
  return {
    update(line) {
      if (now() - last < intervalMs) return
      last = now()
      shown = true
      stream.write(`${CLEAR_LINE}${line}`)
    },
    done() {
      if (shown) stream.write(CLEAR_LINE)
      shown = false
      last = -Infinity
    }
  }
}
