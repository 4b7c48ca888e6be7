// Generated file. DO NOT MODIFY IT BY HAND.

export interface Settings {
  /**
   * Qualtrics API token found in your Qualtrics account under "Account settings" -> "Qualtrics IDs." Needed to start workflows (JSON Event triggers accept only the API token), and for every other call when no OAuth client (Client ID and Client secret) is set.
   */
  apiToken?: string
  /**
   * Qualtrics datacenter id that identifies where your qualtrics instance is located. Found under "Account settings" -> "Qualtrics IDs".
   */
  datacenter: string
  /**
   * The Client ID of a Qualtrics OAuth client (client credentials), from "Account settings" -> "Qualtrics IDs" -> "OAuth Client Manager", created on the datacenter above. Set it with the Client secret to make contact, transaction and listing calls with OAuth access tokens instead of the API token. Workflows still need the API token.
   */
  clientId?: string
  /**
   * The Client secret of that OAuth client. It is sent only to your datacenter's OAuth token endpoint ({datacenter}.qualtrics.com/oauth2/token). Scopes by feature: contacts, transactions and bulk import need manage:directory_contacts and manage:contact_transactions; the directory and list pickers, deduplication checks and audiences read:directories and read:mailing_lists; audiences (adding to and removing from mailing lists, creating one) write:mailing_list_contacts; user deletion manage:directory_contacts, and manage:erasure_requests when "Erase personal data" is on. Test connection needs none of its own. A client without some of them still serves the features it has scopes for; a call that needs a missing scope fails naming it.
   */
  clientSecret?: string
  /**
   * On a Segment user deletion, also send the contact's email addresses to Qualtrics' erasure API, which removes their survey responses too, not only the directory contact. Needs a brand administrator's credentials (with OAuth, the manage:erasure_requests scope). Qualtrics accepts 20 erasure requests a minute.
   */
  erasePersonalData?: boolean
}
// Generated file. DO NOT MODIFY IT BY HAND.

export interface AudienceSettings {
  /**
   * The XM Directory (POOL_…) whose mailing list mirrors the audience. Its Automatic deduplication must be on, with a rule on fields every member has (such as Email): adding a member to a list creates the contact, and only the directory's deduplication makes that an update of an existing contact.
   */
  directoryId: string
  /**
   * Optional: a mailing list (CG_…) in that directory to mirror the audience to. Left empty, a new list named after the audience is created.
   */
  mailingListId?: string
}
