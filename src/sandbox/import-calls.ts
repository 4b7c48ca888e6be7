import type { Answer, Call } from './call'
import { parseImportRequest, parseTransactionBatchRequest } from './import-requests'

/** The transaction endpoints: single transactions, transaction batches and transaction contacts imports. */

/** Each entry is checked on its own: the good ones are created, the others come back unprocessed with a reason. */
export function createTransactions({ store, params, body }: Call): Answer {
  return [200, { result: store.createTransactions(params.directoryId, body) }]
}

export function createTransactionBatch({ store, params, body }: Call): Answer {
  const batch = store.imports.createBatch(params.directoryId, parseTransactionBatchRequest(body))
  return [200, { result: { id: batch.id } }]
}

/** `POST …/transactioncontacts`: a job that works through its records on the sandbox clock. */
export function startImport({ store, params, body, url, origin }: Call): Answer {
  const job = store.imports.start(params.directoryId, params.mailingListId, parseImportRequest(body))
  const tracking = `${origin}${url.pathname.replace(/\/+$/, '')}/${job.importId}`
  const result = { id: job.importId, contacts: { unprocessed: job.unprocessed }, tracking: { url: tracking } }
  return [200, { result: { ...result, status: job.status } }]
}

export function importStatus({ store, params }: Call): Answer {
  return [200, { result: store.imports.status(params.directoryId, params.mailingListId, params.importId) }]
}
