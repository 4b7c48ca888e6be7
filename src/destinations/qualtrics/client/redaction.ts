/** Replaces the token wherever it appears, so no message, log line or result can carry it. */
export function redactSecret<T extends Error | string>(value: T, secret: string): T {
  if (!secret) return value
  if (typeof value === 'string') return value.split(secret).join('[redacted]') as T
  if (value.message.includes(secret)) value.message = redactSecret(value.message, secret)
  return value
}
