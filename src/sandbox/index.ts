export { startSandbox, API_BODY_LIMIT_BYTES, WORKFLOW_BODY_LIMIT_BYTES } from './server'
export { SANDBOX_KEY_HEADER } from './access'
export type { Sandbox, SandboxOptions } from './server'
export type { SandboxStats } from './stats'
export type { BearerRefusal } from './authentication'
export { DEFAULT_SEED, loadSeedFile, parseSeed } from './seed'
export { DEDUPLICATION_FIELDS, MAX_DEDUPLICATION_RULES } from './seed-types'
export type {
  DeduplicationCriteria,
  DeduplicationField,
  SandboxSeed,
  SeedClient,
  SeedContact,
  SeedDirectory,
  SeedUser,
  SeedWorkflow
} from './seed-types'
export { OTHER_QUALTRICS_ORIGIN, PROFILES, READING_CHOICES } from './readings'
export type { Profile, ReadingName, Readings } from './readings'
export { SandboxStore } from './store'
export type { WorkflowRun, StoreOptions, StoredUser } from './store'
export { ENDPOINT_NAMES, ENDPOINT_TABLE, ROUTE_SCOPES } from './endpoints'
export type { Endpoint } from './endpoints'
export { OAUTH_SCOPES, DEFAULT_TOKEN_LIFETIME_SECONDS } from './oauth'
export type { OAuthScope, OAuthErrorCode, TokenResponse } from './oauth'
export { MAX_ERASURE_EMAILS } from './erasure'
export type { ErasureRequest } from './erasure'
export type { StoredContact } from './contact-book'
export type { StoredTransaction } from './transactions'
export { ApiError } from './errors'
export { SandboxClock } from './clock'
export { FaultInjector } from './faults'
export type { Fault, FaultConfig, FaultRates } from './faults'
export { RateLimiter, BRAND_LIMIT_PER_MINUTE, ENDPOINT_LIMITS_PER_MINUTE } from './rate-limits'
