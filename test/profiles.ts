import type { Profile } from '../src/sandbox'

/**
 * The sandbox profiles every end-to-end suite runs under: `default` (the sandbox as it always answered) and `strict`
 * (the other reading of everything the public evidence leaves open; docs/sandbox.md, "Readings and profiles").
 */
export const E2E_PROFILES: readonly Profile[] = ['default', 'strict']

/**
 * A suite once per profile: `body` gets the profile to start its sandbox with (`startSandbox({profile})`, or
 * `startLocalRuntime({sandbox: {profile}})`) and declares its hooks and tests as a file would.
 */
export function eachProfile(body: (profile: Profile) => void): void {
  describe.each(E2E_PROFILES.map((profile) => [profile]))('sandbox profile %s', body)
}
