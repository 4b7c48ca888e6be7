import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from './generated-types'

/**
 * An action kept under the key Segment's earlier Qualtrics destination gave it, so that subscriptions saved under
 * that key keep working: the same implementation and fields, hidden, and without a default trigger (and never in a
 * preset), so that an event never runs both it and the action it stands for (docs/production.md).
 */
export function hiddenAlias<Payload>(
  action: ActionDefinition<Settings, Payload>,
  newName: string,
  newKey: string
): ActionDefinition<Settings, Payload> {
  const { defaultSubscription: _notForAnAlias, ...rest } = action
  return {
    ...rest,
    description: `${rest.description}. Kept for mappings saved under this key; new mappings use "${newName}" (${newKey}).`,
    hidden: true
  }
}
