import type { SegmentEvent } from '@segment/actions-core'
import { ok, qualtrics, settings } from './qualtrics'
import { SEARCH } from './audience'
import type { QualtricsUnderTest, TestDestination } from './instance'

type Mode = 'mirror' | 'add' | 'delete'

/** syncAudience on one event of the instance (or of another destination), and the data its last result carries. */
export function syncAudienceOn(instance: QualtricsUnderTest) {
  const run = (
    event: SegmentEvent,
    mapping: Record<string, unknown> = {},
    syncMode: Mode = 'mirror',
    destination: TestDestination = instance.testDestination
  ) =>
    destination.testAction('syncAudience', {
      event,
      settings,
      mapping: { __segment_internal_sync_mode: syncMode, ...mapping },
      useDefaultMappings: true
    })
  const lastData = () => instance.testDestination.results.at(-1)?.data as Record<string, unknown>
  return { run, lastData }
}

/** A contact search by one identifier (extRef unless told), answering these contact ids. */
export const search = (value: string, ids: string[], filterType = 'extRef') =>
  qualtrics()
    .post(SEARCH, { filter: { filterType, comparison: 'eq', value } })
    .query({ pageSize: '100' })
    .reply(200, ok({ elements: ids.map((id) => ({ id })) }))
