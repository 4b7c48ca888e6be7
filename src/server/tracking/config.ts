import { join, resolve } from 'node:path'

/** The project's own `.local/` (gitignored): what `npm start` keeps between runs. Tests never open it. */
export const LOCAL_FOLDER = resolve(__dirname, '../../../.local')
/** `npm start`'s tracking queue when TRACKING_QUEUE_DIR is unset, wherever the server is started from. */
export const DEFAULT_QUEUE_FOLDER = join(LOCAL_FOLDER, 'queue')
/** `npm start`'s responses receiver queue when RESPONSES_QUEUE_DIR is unset (one process at a time may hold each). */
export const DEFAULT_RESPONSES_QUEUE_FOLDER = join(LOCAL_FOLDER, 'responses-queue')

export interface TrackingConfig {
  /** SEGMENT_WRITE_KEY: when set, Tracking API requests must carry it; when unset, any write key is accepted. */
  writeKey?: string
  /** TRACKING_QUEUE_DIR (relative to the working directory), else DEFAULT_QUEUE_FOLDER. */
  queueFolder: string
}

/** `npm start`'s tracking settings (main.ts): every other caller names a queue folder of its own. */
export function trackingConfigFromEnv(env: NodeJS.ProcessEnv): TrackingConfig {
  const writeKey = env.SEGMENT_WRITE_KEY?.trim()
  const folder = env.TRACKING_QUEUE_DIR?.trim()
  return {
    writeKey: writeKey || undefined,
    queueFolder: folder ? resolve(folder) : DEFAULT_QUEUE_FOLDER
  }
}

/** `npm start`'s (and `npm run responses -- serve`'s) receiver queue: RESPONSES_QUEUE_DIR, else the default. */
export function responsesQueueFolderFromEnv(env: NodeJS.ProcessEnv): string {
  const folder = env.RESPONSES_QUEUE_DIR?.trim()
  return folder ? resolve(folder) : DEFAULT_RESPONSES_QUEUE_FOLDER
}
