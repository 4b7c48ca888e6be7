import { isRetryableStatus } from '../../destinations/qualtrics'

/** One event's outcome, in the shape of Segment's multistatus entries, plus whether Segment would retry it. */
export interface EventResult {
  status: number
  retryable: boolean
  body?: unknown
  errortype?: string
  errormessage?: string
}

export function errorResult(error: unknown): EventResult {
  const e = error as { status?: number; code?: string; name?: string; message?: string }
  // Schema validation errors from actions-core carry no status: they are bad input.
  const status = e.status ?? (e.name === 'AggregateAjvError' || e.name === 'ValidationError' ? 400 : 500)
  return {
    status,
    retryable: isRetryableStatus(status),
    errortype: e.code ?? e.name ?? 'UNKNOWN_ERROR',
    errormessage: e.message ?? String(error)
  }
}

export function multistatusResult(node: Record<string, unknown>): EventResult {
  const status = Number(node.status ?? 500)
  if (status >= 200 && status < 300) return { status, retryable: false, body: node.body }
  return {
    status,
    retryable: isRetryableStatus(status),
    errortype: node.errortype as string | undefined,
    errormessage: node.errormessage as string | undefined
  }
}
