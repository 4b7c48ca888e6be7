import type { InputField } from '@segment/actions-core'
import { parseFql } from '@segment/destination-subscriptions'
import definition from '..'
import './__helpers__/harness'

/**
 * Segment's public docs page for the Qualtrics (Actions) destination, transcribed (last modified 09 Aug 2024).
 * Customers build mappings from that page, and Segment's saved mappings hold these fields: a label, type or required
 * flag that drifts from it is a breaking change, so it has to be a deliberate edit here, not an accident in src/.
 */
type DocType = 'STRING' | 'OBJECT' | 'BOOLEAN' | 'DATETIME'
type DocField = { label: string; type: DocType; required: boolean }
type DocAction = { title: string; trigger?: string; fields: Record<string, DocField> }

// The page shows actions-core's field types in upper case; a URL field (workflowUrl) is a plain STRING there and a
// 'string' with format 'uri' in code, so the type itself maps one to one.
const DOC_TYPES: Record<DocType, InputField['type']> = {
  STRING: 'string',
  OBJECT: 'object',
  BOOLEAN: 'boolean',
  DATETIME: 'datetime'
}

const STRING = (label: string, required = false): DocField => ({ label, type: 'STRING', required })

const DOCS: Record<string, DocAction> = {
  upsertContact: {
    title: 'Create and/or update contact in XM Directory',
    trigger: 'type = "identify"',
    fields: {
      directoryId: STRING('Directory ID', true),
      extRef: STRING('External Data Reference'),
      email: STRING('Email'),
      phone: STRING('Phone number'),
      firstName: STRING('First Name'),
      lastName: STRING('Last Name'),
      language: STRING('Language'),
      unsubscribed: { label: 'Contact is unsubscribed', type: 'BOOLEAN', required: false },
      embeddedData: { label: 'Contact embedded data', type: 'OBJECT', required: false }
    }
  },
  triggerXflow: {
    // The page gives this action no default trigger.
    title: 'Start a workflow in Qualtrics',
    fields: {
      workflowUrl: STRING('Workflow URL', true),
      eventPayload: { label: 'Event payload', type: 'OBJECT', required: false }
    }
  },
  upsertContactTransaction: {
    title: 'Upsert contact transaction',
    trigger: 'type = "track", event = "Transaction Created"',
    fields: {
      directoryId: STRING('Directory ID', true),
      mailingListId: STRING('Mailing list ID', true),
      contactId: STRING('Contact ID'),
      extRef: STRING('External Data Reference', true),
      email: STRING('Email'),
      phone: STRING('Phone number'),
      firstName: STRING('First name'),
      lastName: STRING('Last name'),
      language: STRING('Language'),
      unsubscribed: { label: 'Contact is unsubscribed', type: 'BOOLEAN', required: false },
      embeddedData: { label: 'Contact embedded data', type: 'OBJECT', required: false },
      transactionDate: { label: 'Date & time of transaction', type: 'DATETIME', required: false },
      transactionData: { label: 'Transaction data', type: 'OBJECT', required: false }
    }
  }
}

/**
 * Beyond the page: the Engage audience action (issue 11). It is new, so nothing is saved against it yet; listing it
 * here keeps its fields from drifting once mappings exist.
 */
const AUDIENCE_ACTIONS: Record<string, DocAction> = {
  syncAudience: {
    title: 'Sync Engage audience to a mailing list',
    trigger: 'type = "identify" or type = "track"',
    fields: {
      externalAudienceId: STRING('External audience ID', true),
      audienceKey: STRING('Audience key', true),
      extRef: STRING('External Data Reference'),
      email: STRING('Email'),
      phone: STRING('Phone number'),
      firstName: STRING('First Name'),
      lastName: STRING('Last Name'),
      language: STRING('Language'),
      membershipOnContact: { label: 'Record membership on the contact', type: 'BOOLEAN', required: false },
      traitsOrProperties: { label: 'Traits or properties', type: 'OBJECT', required: false }
    }
  }
}

const DOC_SETTINGS: Record<string, { label: string; required: boolean }> = {
  // The page marks it required; it became optional when an OAuth client could stand in for it (saved settings,
  // which all have a token, stay valid).
  apiToken: { label: 'API Token', required: false },
  datacenter: { label: 'Datacenter ID', required: true },
  // Beyond the page: the OAuth client and the erasure switch, all optional.
  clientId: { label: 'Client ID', required: false },
  clientSecret: { label: 'Client secret', required: false },
  erasePersonalData: { label: 'Erase personal data', required: false }
}

/**
 * Fields the code has beyond the page. Allowed, but listed by name so that a new one fails this test until someone
 * has checked it is optional: a new required field would reject events from every mapping saved before it existed.
 */
const ACKNOWLEDGED_EXTRAS: Record<string, string[]> = {
  upsertContact: ['enable_batching', 'batch_size'],
  triggerXflow: ['authMethod', 'username', 'enable_batching', 'batch_size'],
  upsertContactTransaction: [
    'matchContactBy',
    'multipleMatches',
    'contactLookup',
    'messageId',
    'recordMessageId',
    'bulkImport',
    'enable_batching',
    'batch_size'
  ],
  syncAudience: ['enable_batching', 'batch_size']
}

/**
 * The page prints a trigger's conditions joined by commas (`type = "track", event = "Transaction Created"`) where
 * the FQL the code stores joins them with `and`. The comma means `and`, so rewrite it and compare parsed FQL rather
 * than text, which also ignores spacing. Safe here because no condition value in these triggers contains a comma.
 */
function fqlOf(trigger: string) {
  const parsed = parseFql(trigger.replace(/,\s*/g, ' and '))
  if ('error' in parsed) throw new Error(`Unparsable FQL "${trigger}": ${parsed.error.message}`)
  return parsed
}

const actionOf = (slug: string) => definition.actions[slug]
const fieldsOf = (slug: string): Record<string, InputField> => actionOf(slug).fields

const ALL_ACTIONS = { ...DOCS, ...AUDIENCE_ACTIONS }
const documentedFields = Object.entries(ALL_ACTIONS).flatMap(([slug, doc]) =>
  Object.entries(doc.fields).map(([key, field]) => ({ slug, key, ...field }))
)
const extraFields = Object.entries(ACKNOWLEDGED_EXTRAS).flatMap(([slug, keys]) => keys.map((key) => ({ slug, key })))

describe('fields match Segment’s public docs', () => {
  it('has exactly the documented actions, all cloud mode, and hides only the earlier keys kept for saved mappings', () => {
    const visible = Object.entries(definition.actions).filter(([, action]) => !action.hidden)
    expect(visible.map(([key]) => key).sort()).toEqual(Object.keys(ALL_ACTIONS).sort())
    const hidden = Object.entries(definition.actions).filter(([, action]) => action.hidden)
    expect(hidden.map(([key]) => key).sort()).toEqual(['addContactToXmd', 'triggerXflowWorkflow'])
    expect(definition.mode).toBe('cloud')
  })

  it.each(Object.entries(ALL_ACTIONS))('%s has the documented title and default trigger', (slug, doc) => {
    const action = actionOf(slug)
    expect(action.title).toBe(doc.title)
    if (doc.trigger === undefined) {
      expect(action.defaultSubscription).toBeUndefined()
    } else {
      expect(action.defaultSubscription).toEqual(expect.any(String))
      expect(fqlOf(action.defaultSubscription as string)).toEqual(fqlOf(doc.trigger))
    }
  })

  it.each(documentedFields)(
    '$slug field $key is "$label", $type, required: $required',
    ({ slug, key, label, type, required }) => {
      const field = fieldsOf(slug)[key]
      expect(field).toBeDefined()
      expect(field.label).toBe(label)
      expect(field.type).toBe(DOC_TYPES[type])
      // `required` may also be a conditions object in actions-core: only a literal true counts as documented-required.
      expect(field.required ?? false).toBe(required)
    }
  )

  it.each(Object.keys(ALL_ACTIONS))('%s has no fields beyond the documented and acknowledged ones', (slug) => {
    const expected = [...Object.keys(ALL_ACTIONS[slug].fields), ...ACKNOWLEDGED_EXTRAS[slug]]
    expect(Object.keys(fieldsOf(slug)).sort()).toEqual(expected.sort())
  })

  it.each(extraFields)('$slug field $key (beyond the docs) is not required', ({ slug, key }) => {
    const field = fieldsOf(slug)[key]
    expect(field).toBeDefined()
    expect(field.required ?? false).toBe(false)
  })

  it('has the documented settings (and the acknowledged optional ones)', () => {
    const fields = definition.authentication?.fields ?? {}
    expect(Object.keys(fields).sort()).toEqual(Object.keys(DOC_SETTINGS).sort())
    for (const [key, doc] of Object.entries(DOC_SETTINGS)) {
      expect({ key, label: fields[key].label, required: fields[key].required }).toEqual({ key, ...doc })
    }
  })

  it('presets route identify to upsertContact and Transaction Created to upsertContactTransaction', () => {
    const presets = (definition.presets ?? []).map((preset) => ({
      partnerAction: preset.partnerAction,
      type: preset.type,
      subscribe: 'subscribe' in preset ? fqlOf(preset.subscribe) : undefined
    }))
    expect(presets).toEqual([
      { partnerAction: 'upsertContact', type: 'automatic', subscribe: fqlOf('type = "identify"') },
      {
        partnerAction: 'upsertContactTransaction',
        type: 'automatic',
        subscribe: fqlOf('type = "track", event = "Transaction Created"')
      },
      {
        partnerAction: 'syncAudience',
        type: 'automatic',
        subscribe: fqlOf(
          'context.personas.computation_class = "audience" and (type = "identify" or event = "Audience Entered" or event = "Audience Exited")'
        )
      },
      { partnerAction: 'syncAudience', type: 'specificEvent', subscribe: undefined },
      { partnerAction: 'syncAudience', type: 'specificEvent', subscribe: undefined },
      { partnerAction: 'syncAudience', type: 'specificEvent', subscribe: undefined },
      {
        partnerAction: 'triggerXflow',
        type: 'automatic',
        subscribe: fqlOf('type = "track" and (event = "Audience Entered" or event = "Audience Exited")')
      }
    ])
  })

  it('is an Engage audience destination: synced, not full sync, with create and get, directory and list settings', () => {
    const audience = definition as typeof definition & { audienceFields: Record<string, { required?: boolean }> }
    expect(audience.audienceConfig.mode).toEqual({ type: 'synced', full_audience_sync: false })
    expect(Object.keys(audience.audienceFields).sort()).toEqual(['directoryId', 'mailingListId'])
    expect(audience.audienceFields.directoryId.required).toBe(true)
    expect(audience.audienceFields.mailingListId.required).toBe(false)
    expect(actionOf('syncAudience').syncMode).toMatchObject({ default: 'mirror' })
    expect(
      actionOf('syncAudience')
        .syncMode?.choices.map((c) => c.value)
        .sort()
    ).toEqual(['add', 'delete', 'mirror'])
  })
})
