/**
 * The bulk-import scenarios of `npm run bench` (the field "Bulk import" on upsertContactTransaction): a batch of
 * 1,000 Transaction Created events in the scenario table, and the steady state with import on. Registered in
 * bench.ts; the requests they count include every status poll.
 */
import type { Scenario } from './run'
import { IMPORT_RECORDS_PER_SECOND, IMPORT_START_DELAY_MS } from '../../src/sandbox/imports'

type Variant = Pick<Scenario, 'kind' | 'mode' | 'batchSize' | 'contactLookup' | 'bulkImport'>

/** Rows of the scenario table: the default batch size, import on. */
export const IMPORT_VARIANTS: Variant[] = [
  { kind: 'transaction', mode: 'batch', batchSize: 1000, contactLookup: 'deduplication', bulkImport: true }
]

/** The steady state again, import on (its settings beside the search and deduplication runs). */
export const IMPORT_STEADY: Pick<Scenario, 'contactLookup' | 'bulkImport'>[] = [
  { contactLookup: 'deduplication', bulkImport: true }
]

/** How a table names a scenario's way of sending: its contact lookup, or the bulk import. */
export function sendingOf(scenario: Pick<Scenario, 'contactLookup' | 'bulkImport'>, fallback: string): string {
  return scenario.bulkImport ? 'bulk import' : (scenario.contactLookup ?? fallback)
}

export function importText(timeScale: number): string {
  const seconds = (records: number) => (IMPORT_START_DELAY_MS + (records * 1000) / IMPORT_RECORDS_PER_SECOND) / 1000
  return (
    `Bulk import rows: one transaction batch, one import and its status polls per batch (the destination polls after ` +
    `0.5 s, doubling up to 8 s, for at most 60 s). The sandbox's import jobs start after ${IMPORT_START_DELAY_MS} ms ` +
    `and do ${IMPORT_RECORDS_PER_SECOND} records a second of its clock (a batch of 1,000: ${seconds(1000)} s, ` +
    `${(seconds(1000) / timeScale).toFixed(1)} real s at ${timeScale}×); Qualtrics publishes no pace, so the poll ` +
    `count against real Qualtrics may differ.`
  )
}
