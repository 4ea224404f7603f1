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
  start: 'sigwire:request:start',
  finish: 'sigwire:request:finish',
  retry: 'sigwire:request:retry',
  error: 'sigwire:request:error',
} as const

/** The channel objects for {@link CHANNEL_NAMES}. */
export const channels = {
  start: channel(CHANNEL_NAMES.start),
  finish: channel(CHANNEL_NAMES.finish),
  retry: channel(CHANNEL_NAMES.retry),
  error: channel(CHANNEL_NAMES.error),
}
