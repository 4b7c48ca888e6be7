/** `npm run bench:profiles`' table: each workload's requests per 1,000 events in the default and strict profiles. */
import type { AudienceOutcome } from './audience'
import { sendingOf } from './import'
import type { ScenarioRow } from './report'
import type { SteadyOutcome } from './steady'
import type { Table } from './table'
import { ACTION_NAMES } from './workloads'

/** One workload's figure in one profile: requests per 1,000 events, and whether everything was delivered and checked. */
export interface Figure {
  workload: string
  perThousand: number
  outcome: string
}

const outcomeOf = (failed: Record<string, number>, checks: string[]) => {
  const failures = Object.entries(failed).map(([status, n]) => `${n}×${status} failed`)
  return [...failures, ...checks].join('; ') || 'ok'
}

export function figures(rows: ScenarioRow[], steady: SteadyOutcome[], audience?: AudienceOutcome): Figure[] {
  const scenarioFigures = rows.map(({ scenario, result, requests, checks }) => ({
    workload:
      `${ACTION_NAMES[scenario.kind]} ${scenario.mode}` +
      `${scenario.mode === 'batch' ? ` ${scenario.batchSize}` : ''}${scenario.kind === 'transaction' ? `, ${sendingOf(scenario, '')}` : ''}`,
    perThousand: (requests * 1000) / scenario.events,
    outcome: outcomeOf(result.failed, checks)
  }))
  const steadyFigures = steady.map(({ scenario, result, requests, checks }) => ({
    workload: `steady state, ${sendingOf(scenario, 'search')}`,
    perThousand: (requests * 1000) / (scenario.batches * scenario.batchSize),
    outcome: outcomeOf(result.failed, checks)
  }))
  const audienceFigures = audience
    ? [
        {
          workload: `audience backfill (${audience.scenario.members} members)`,
          perThousand: (audience.result.backfill.requests * 1000) / audience.scenario.members,
          outcome: outcomeOf(audience.result.backfill.failed, audience.checks)
        },
        {
          workload: `audience mixed (${audience.scenario.changes} changes)`,
          perThousand: (audience.result.mixed.requests * 1000) / audience.scenario.changes,
          outcome: outcomeOf(audience.result.mixed.failed, audience.checks)
        }
      ]
    : []
  return [...scenarioFigures, ...steadyFigures, ...audienceFigures]
}

export function comparisonTable(defaults: Figure[], stricts: Figure[]): Table {
  return {
    headers: ['workload', 'default req/1k ev', 'strict req/1k ev', 'change', 'default', 'strict'],
    numeric: [false, true, true, true, false, false],
    rows: defaults.map((figure, i) => {
      const strict = stricts[i]
      const change = figure.perThousand === 0 ? 0 : (strict.perThousand / figure.perThousand - 1) * 100
      return [
        figure.workload,
        figure.perThousand.toFixed(0),
        strict.perThousand.toFixed(0),
        `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`,
        figure.outcome,
        strict.outcome
      ]
    })
  }
}
