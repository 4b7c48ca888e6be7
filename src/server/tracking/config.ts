import { resolve } from 'node:path'

/** The project's own `.local/queue/` (gitignored), wherever the server is started from. */
export const DEFAULT_QUEUE_FOLDER = resolve(__dirname, '../../../.local/queue')

export interface TrackingConfig {
  /** SEGMENT_WRITE_KEY: when set, Tracking API requests must carry it; when unset, any write key is accepted. */
  writeKey?: string
  /** TRACKING_QUEUE_DIR (relative to the working directory), else DEFAULT_QUEUE_FOLDER. */
  queueFolder: string
}

export function trackingConfigFromEnv(env: NodeJS.ProcessEnv): TrackingConfig {
  const writeKey = env.SEGMENT_WRITE_KEY?.trim()
  const folder = env.TRACKING_QUEUE_DIR?.trim()
  return {
    writeKey: writeKey || undefined,
    queueFolder: folder ? resolve(folder) : DEFAULT_QUEUE_FOLDER
  }
}
