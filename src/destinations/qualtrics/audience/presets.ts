import { defaultValues } from '@segment/actions-core'
import type { InputField, Preset } from '@segment/actions-core'

/** The actions the audience presets map (their fields give the presets' default mappings). */
interface PresetActions {
  syncAudience: { fields: Record<string, InputField> }
  triggerXflow: { fields: Record<string, InputField> }
}

/**
 * Engage audiences, as the monorepo's audience destinations offer them: one automatic subscription for the events
 * Engage sends an audience destination (identify with the trait, or track Audience Entered / Audience Exited), the
 * Linked Audiences event types, and a workflow for entries and exits (Adobe's route: a Qualtrics workflow starts on
 * each change).
 */
export function audiencePresets(actions: PresetActions): Preset[] {
  const syncMapping = defaultValues(actions.syncAudience.fields)
  return [
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
      mapping: defaultValues(actions.triggerXflow.fields),
      type: 'automatic'
    }
  ]
}
