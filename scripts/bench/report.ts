/**
 * The bench's tables, built once from the results and shown both on the console and in docs/benchmarks.md.
 */
import type { Scenario, ScenarioResult } from './run'
import type { SteadyOutcome } from './steady'
import type { Table } from './table'
import { ACTION_FOR } from '../workload/events'
import { sendingOf } from './import'

export interface ScenarioRow {
  scenario: Pick<Scenario, 'kind' | 'mode' | 'batchSize' | 'contactLookup' | 'bulkImport' | 'events'>
  result: ScenarioResult
  requests: number
  rateLimited: number
  checks: string[]
}

const per1k = (count: number, events: number) => ((count * 1000) / events).toFixed(0)

function outcome(failed: Record<string, number>, checks: string[]): string {
  const failures = Object.entries(failed).map(([status, count]) => `${count}×${status}`)
  return [...(failures.length ? [`failed ${failures.join(' ')}`] : []), ...(checks.length ? checks : ['ok'])].join('; ')
}

const FIGURES = ['req/1k ev', '429s', 'events/s', 'CPU ms/1k', 'peak RSS MB', 'peak heap MB', 'delivered', 'check']

export function scenarioTable(rows: ScenarioRow[]): Table {
  return {
    headers: ['action', 'mode', 'batch', 'lookup', ...FIGURES],
    numeric: [false, false, true, false, true, true, true, true, true, true, true, false],
    rows: rows.map(({ scenario, result, requests, rateLimited, checks }) => [
      ACTION_FOR[scenario.kind],
      scenario.mode,
      scenario.mode === 'batch' ? String(scenario.batchSize) : '—',
      sendingOf(scenario, '—'),
      per1k(requests, scenario.events),
      String(rateLimited),
      ((scenario.events * 1000) / result.wallMs).toFixed(1),
      per1k(result.cpuMs, scenario.events),
      result.peakRssMb.toFixed(0),
      result.peakHeapMb.toFixed(0),
      String(result.delivered),
      outcome(result.failed, checks)
    ])
  }
}

export function steadyTable(outcomes: SteadyOutcome[]): Table {
  return {
    headers: ['action', 'lookup', 'batches', ...FIGURES],
    numeric: [false, false, true, true, true, true, true, true, true, true, false],
    rows: outcomes.map(({ scenario, result, requests, rateLimited, checks }) => {
      const measured = scenario.batches * scenario.batchSize
      return [
        ACTION_FOR.transaction,
        sendingOf(scenario, 'search'),
        `1+${scenario.batches}×${scenario.batchSize}`,
        per1k(requests, measured),
        String(rateLimited),
        ((measured * 1000) / result.wallMs).toFixed(1),
        per1k(result.cpuMs, measured),
        result.peakRssMb.toFixed(0),
        result.peakHeapMb.toFixed(0),
        String(result.delivered),
        outcome(result.failed, checks)
      ]
    })
  }
}

/** Where the steady state's requests go: per measured batch, by endpoint, and the people each batch brings new. */
export function steadyDetails(outcomes: SteadyOutcome[]): string[] {
  const lines = outcomes.map((o) => {
    const endpoints = Object.entries(o.byEndpoint).map(([endpoint, n]) => `${endpoint} ${n}`)
    return (
      `${sendingOf(o.scenario, 'search')}: requests per measured batch ${o.requestsPerBatch.join(', ')}; ` +
      `by endpoint ${endpoints.join(', ')}`
    )
  })
  const people = outcomes[0]?.newPeoplePerBatch
  if (people) {
    const total = people.reduce((sum, n) => sum + n, 0)
    lines.push(`people not seen in an earlier batch, per measured batch: ${people.join(', ')} (${total} in all)`)
  }
  return lines
}
