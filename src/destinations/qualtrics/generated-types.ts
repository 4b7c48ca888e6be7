// Generated file. DO NOT MODIFY IT BY HAND.

export interface Settings {
  /**
   * Qualtrics API token found in your Qualtrics account under "Account settings" -> "Qualtrics IDs."
   */
  apiToken: string
  /**
   * Qualtrics datacenter id that identifies where your qualtrics instance is located. Found under "Account settings" -> "Qualtrics IDs".
   */
  datacenter: string
}
