import { defaultValues } from '@segment/actions-core'
import type { Preset } from '@segment/actions-core'
import syncAudience from '../syncAudience'
import triggerXflow from '../triggerXflow'

const syncMapping = defaultValues(syncAudience.fields)

/**
 * Engage audiences, as the monorepo's audience destinations offer them: one automatic subscription for the events
 * Engage sends an audience destination (identify with the trait, or track Audience Entered / Audience Exited), the
 * Linked Audiences event types, and a workflow for entries and exits (Adobe's route: a Qualtrics workflow starts on
 * each change).
 */
export const audiencePresets: Preset[] = [
  {
    name: 'Sync Engage audience to a mailing list',
    subscribe:
      'context.personas.computation_class = "audience" and (type = "identify" or event = "Audience Entered" or event = "Audience Exited")',
    partnerAction: 'syncAudience',
    mapping: syncMapping,
    type: 'automatic'
  },
  {
    name: 'Entities Audience Membership Changed',
    partnerAction: 'syncAudience',
    mapping: syncMapping,
    type: 'specificEvent',
    eventSlug: 'warehouse_audience_membership_changed_identify'
  },
  {
    name: 'Entities Audience Entered',
    partnerAction: 'syncAudience',
    mapping: syncMapping,
    type: 'specificEvent',
    eventSlug: 'warehouse_audience_entered_track'
  },
  {
    name: 'Entities Audience Exited',
    partnerAction: 'syncAudience',
    mapping: syncMapping,
    type: 'specificEvent',
    eventSlug: 'warehouse_audience_exited_track'
  },
  {
    name: 'Start a workflow on audience entry or exit',
    subscribe: 'type = "track" and (event = "Audience Entered" or event = "Audience Exited")',
    partnerAction: 'triggerXflow',
    mapping: defaultValues(triggerXflow.fields),
    type: 'automatic'
  }
]
