import type { DynamicFieldResponse, RequestClient, StateContext } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { QualtricsClient } from './client'
import type { ClientState } from './client'

/** A failure shown in the field's dropdown instead of thrown: the mapping editor stays usable. */
function asDynamicError(error: unknown): DynamicFieldResponse {
  const status = (error as { status?: number }).status
  return {
    choices: [],
    error: { message: (error as Error).message ?? 'Unknown error', code: String(status ?? 'UNKNOWN') }
  }
}

export async function directoryChoices(
  request: RequestClient,
  settings: Settings,
  state: ClientState,
  stateContext?: StateContext
): Promise<DynamicFieldResponse> {
  try {
    const directories = await new QualtricsClient(request, settings, state, { stateContext }).listDirectories()
    return {
      choices: directories.map((d) => ({
        label: d.name ? `${d.name} (${d.directoryId})` : d.directoryId,
        value: d.directoryId
      }))
    }
  } catch (error) {
    return asDynamicError(error)
  }
}

export async function mailingListChoices(
  request: RequestClient,
  settings: Settings,
  state: ClientState,
  directoryId: string | undefined,
  stateContext?: StateContext
): Promise<DynamicFieldResponse> {
  if (!directoryId) {
    return {
      choices: [],
      error: { message: 'Choose a Directory ID first: mailing lists belong to a directory.', code: '400' }
    }
  }
  try {
    const client = new QualtricsClient(request, settings, state, { stateContext })
    const lists = await client.listMailingLists(directoryId)
    return {
      choices: lists.map((l) => ({
        label: l.name ? `${l.name} (${l.mailingListId})` : l.mailingListId,
        value: l.mailingListId
      }))
    }
  } catch (error) {
    return asDynamicError(error)
  }
}
