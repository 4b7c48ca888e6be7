import { IntegrationError, RetryableError } from '@segment/actions-core'
import { answerOf, cameFromQualtrics, missingFromAnswer, withAnswer } from './errors'
import type { Operation } from './errors'
import { isPathId, pathSegment } from './ids'
import { QualtricsClient } from './qualtrics-client'
import { readContact } from './contact-record'
import type { ContactBody, ContactRecord, EmbeddedValue, MailingList } from './types'

/** What adding a contact to a list answered: the contact's id (CID_) and its list entry's (CGC_), when given. */
export interface ListAddAnswer {
  contactId?: string
  contactLookupId?: string
  /** Set when a 2xx lacked the contact id: the contact was added, the answer just did not say which it is. */
  note?: string
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== ''

/** The final error for a list that does not exist (or is in another directory): it names both. */
export function mailingListNotFound(directoryId: string, mailingListId: string): IntegrationError {
  return new IntegrationError(
    `Qualtrics has no mailing list ${mailingListId} in directory ${directoryId} (404): it was deleted, or it belongs to another directory. Create the audience again so that it gets a new list.`,
    'MAILING_LIST_NOT_FOUND',
    404
  )
}

/**
 * The mailing-list calls an Engage audience needs (create, read, add a contact, remove one) and the contact update
 * that records membership on the contact, as a layer on the one client: same transport, credentials and errors.
 */
export class MailingListClient extends QualtricsClient {
  /** `POST /directories/{dir}/mailinglists {name}` → the new list's id (CG_…). */
  async createMailingList(directoryId: string, name: string): Promise<string> {
    const operation: Operation = {
      endpoint: 'mailinglists.create',
      description: 'create the mailing list',
      notFound: `directory ${directoryId} was not found`
    }
    const url = `${this.directoryUrl(directoryId)}/mailinglists`
    const { result, data } = await this.answer<{ id?: unknown }>(url, operation, { method: 'POST', json: { name } })
    // Without the id the audience cannot name its list, and a retry would create a second one: final.
    // The list id goes in every later URL of the audience: it must be a valid path id (ids.ts).
    if (!isPathId(result?.id)) throw this.unexpected(operation, 'the new list id (result.id)', data)
    return result.id
  }

  /** `GET /directories/{dir}/mailinglists/{CG}`; a 404 is a final error naming the list and the directory. */
  async getMailingList(directoryId: string, mailingListId: string): Promise<MailingList> {
    const operation: Operation = { endpoint: 'mailinglists.get', description: `read mailing list ${mailingListId}` }
    try {
      const { result, data } = await this.answer<Partial<MailingList>>(
        this.mailingListUrl(directoryId, mailingListId),
        operation
      )
      if (!result) throw this.unexpected(operation, 'the list (result)', data)
      return { mailingListId, ...(typeof result.name === 'string' ? { name: result.name } : {}) }
    } catch (error) {
      throw isNotFound(error) ? withAnswer(mailingListNotFound(directoryId, mailingListId), answerOf(error)) : error
    }
  }

  /**
   * `POST …/mailinglists/{CG}/contacts`: Qualtrics creates the contact in the directory (its deduplication turns that
   * into an update of an existing contact) and puts it in the list. A 2xx without an id still added the contact.
   */
  async addToMailingList(directoryId: string, mailingListId: string, contact: ContactBody): Promise<ListAddAnswer> {
    const operation: Operation = {
      endpoint: 'mailinglistContacts.create',
      description: `add the contact to mailing list ${mailingListId}`,
      notFound: `mailing list ${mailingListId} was not found in directory ${directoryId} (deleted, or in another directory)`
    }
    const url = `${this.mailingListUrl(directoryId, mailingListId)}/contacts`
    const { result, data } = await this.answer<{ id?: unknown; contactLookupId?: unknown }>(url, operation, {
      method: 'POST',
      json: contact
    })
    const lookup = isText(result?.contactLookupId) ? { contactLookupId: result.contactLookupId } : {}
    if (isPathId(result?.id)) return { contactId: result.id, ...lookup }
    return { ...lookup, note: this.redactor.text(missingFromAnswer(operation, 'contact id (result.id)', data)) }
  }

  /**
   * `DELETE …/mailinglists/{CG}/contacts/{CID}`: the membership only, the contact stays. A 404 may mean the contact
   * is not in the list (or does not exist), which is what was asked, or that the list itself is gone: Qualtrics'
   * error codes for these are undocumented, so a 404 is followed by a read of the list, which tells them apart.
   */
  async removeFromMailingList(
    directoryId: string,
    mailingListId: string,
    contactId: string
  ): Promise<{ removed: boolean }> {
    const operation: Operation = {
      endpoint: 'mailinglistContacts.delete',
      description: `remove contact ${contactId} from mailing list ${mailingListId}`
    }
    const url = `${this.mailingListUrl(directoryId, mailingListId)}/contacts/${pathSegment(contactId, 'Contact ID')}`
    try {
      await this.send(url, { method: 'DELETE' }, operation, true)
      return { removed: true }
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    await this.getMailingList(directoryId, mailingListId)
    return { removed: false }
  }

  /** `GET /directories/{dir}/contacts/{CID}`: the contact as read (contact-record.ts). */
  async getContact(directoryId: string, contactId: string): Promise<ContactRecord> {
    const operation: Operation = {
      endpoint: 'contacts.get',
      description: `read contact ${contactId}`,
      notFound: `contact ${contactId} was not found`
    }
    const { result, data } = await this.answer<unknown>(this.contactUrl(directoryId, contactId), operation)
    const contact = readContact(result, contactId)
    if (!contact) throw this.unexpected(operation, 'the contact (result)', data)
    return contact
  }

  /**
   * Sets some embedded data on a contact and keeps the rest. Whether `PUT …/contacts/{id}` merges `embeddedData` or
   * replaces it is not documented, so the contact is read first and its embedded data sent whole with the changes
   * (right under either reading); nothing is sent when it already holds them. A contact that cannot be read (a 404:
   * created moments ago, or deleted since) is not written blind, since that could wipe its other embedded data: the
   * error is retryable. Costs one GET; a write in between the GET and the PUT could still be lost.
   */
  async updateEmbeddedData(
    directoryId: string,
    contactId: string,
    changes: Record<string, EmbeddedValue>
  ): Promise<{ written: boolean }> {
    let current: ContactRecord
    try {
      current = await this.getContact(directoryId, contactId)
    } catch (error) {
      if (!isNotFound(error)) throw error
      throw withAnswer(
        new RetryableError(
          `Qualtrics could not read contact ${contactId} (404), so its embedded data was not written: without reading it first, a write could remove its other embedded data. A later try reads it again.`,
          503
        ),
        answerOf(error)
      )
    }
    const embeddedData = { ...current.embeddedData, ...changes }
    if (Object.entries(changes).every(([name, value]) => current.embeddedData?.[name] === value)) {
      return { written: false }
    }
    const operation: Operation = {
      endpoint: 'contacts.update',
      description: `update contact ${contactId}`,
      notFound: `contact ${contactId} was not found`
    }
    await this.send(this.contactUrl(directoryId, contactId), { method: 'PUT', json: { embeddedData } }, operation, true)
    return { written: true }
  }

  private contactUrl(directoryId: string, contactId: string): string {
    return `${this.directoryUrl(directoryId)}/contacts/${pathSegment(contactId, 'Contact ID')}`
  }
}

function isNotFound(error: unknown): boolean {
  return cameFromQualtrics(error) && (error as { status?: number }).status === 404
}
