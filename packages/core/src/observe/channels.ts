import { channel } from 'node:diagnostics_channel'

/**
 * `node:diagnostics_channel` channels the transport publishes to. Every message is redacted before it
 * is published: URLs have credential parameters masked and credential headers are replaced.
 *
 * - `sigwire:request:start`  `{ id, method, url, attempt, headers }`
 * - `sigwire:request:finish` `{ id, method, url, attempt, status, durationMs }`
 * - `sigwire:request:retry`  `{ id, method, url, attempt, delayMs, reason }`
 * - `sigwire:request:error`  `{ id, method, url, attempt, code, message }`
 */
export const CHANNEL_NAMES = {
  /** Published before each attempt is sent: `{ id, method, url, attempt, headers }`. */
  start: 'sigwire:request:start',
  /**
   * Published when an attempt got a response, whatever its status:
   * `{ id, method, url, attempt, status, durationMs }`.
   */
  finish: 'sigwire:request:finish',
  /** Published before waiting to retry a failed attempt: `{ id, method, url, attempt, delayMs, reason }`. */
  retry: 'sigwire:request:retry',
  /**
   * Published when an attempt got no response (network failure, timeout) and is not retried:
   * `{ id, method, url, attempt, code, message }`.
   */
  error: 'sigwire:request:error',
} as const

/** The channel objects for {@link CHANNEL_NAMES}. */
export const channels = {
  /** The `sigwire:request:start` channel (see {@link CHANNEL_NAMES}). */
  start: channel(CHANNEL_NAMES.start),
  /** The `sigwire:request:finish` channel (see {@link CHANNEL_NAMES}). */
  finish: channel(CHANNEL_NAMES.finish),
  /** The `sigwire:request:retry` channel (see {@link CHANNEL_NAMES}). */
  retry: channel(CHANNEL_NAMES.retry),
  /** The `sigwire:request:error` channel (see {@link CHANNEL_NAMES}). */
  error: channel(CHANNEL_NAMES.error),
}
