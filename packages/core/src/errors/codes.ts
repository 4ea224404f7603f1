/**
 * Every error code @sigwire/core raises. Codes are stable: match on them, not on messages.
 *
 * - `INVALID_ARGUMENT`: a value passed to a core function has the wrong shape.
 * - `INVALID_DATE`: a date string is not the strict `YYYY-MM-DDTHH:MM:SSZ` form (or not a date).
 * - `INVALID_BASE64` / `INVALID_HEX`: text is not strict base64 / hex.
 * - `INVALID_PERCENT_ENCODING`: a `%` escape is malformed or decodes to invalid UTF-8.
 * - `INVALID_URL`: a URL cannot be sent as given.
 * - `BODY_CHANGED`: a file body changed between the pass that signed it and the pass that sent it.
 * - `BODY_READ_FAILED`: a file body could not be read.
 * - `TIMEOUT`: the call's `timeoutMs` elapsed.
 * - `ABORTED`: the caller's `AbortSignal` fired.
 * - `NETWORK_ERROR`: the connection failed and the request was not (or could no longer be) retried.
 * - `OUTCOME_UNKNOWN`: a write that is not safe to repeat was sent, then its response was lost (the
 *   connection reset, or the time limit passed): it may or may not have been applied. Never retried
 *   blindly; the message says how to check.
 * - `RESPONSE_TOO_LARGE`: a response body exceeded `maxResponseBytes`.
 * - `FILE_WRITE_FAILED`: an atomic file write failed; the previous file is intact.
 * - `PROGRESS_LISTENER_FAILED`: a progress listener threw, so the transfer was aborted (not retried).
 * - `STORE_UNAVAILABLE`: the shared store of a fleet (Redis) could not be reached or answered an
 *   error. Nothing that needs it was done (no sign-in, no nonce spent): the call fails closed; retry
 *   once the store is back.
 * - `STORE_KEY_INVALID`: the key that encrypts the shared store is missing or malformed, or the data
 *   was written with another key.
 * - `LEASE_TIMEOUT`: another process held a lease (an account's sign-in, an authkey's nonce, a user's
 *   token) for longer than this one was willing to wait.
 * - `LEASE_LOST`: this process's lease expired before its work was saved (another process took
 *   over); what it did was not saved over the newer state.
 */
export type CoreErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_DATE'
  | 'INVALID_BASE64'
  | 'INVALID_HEX'
  | 'INVALID_PERCENT_ENCODING'
  | 'INVALID_URL'
  | 'BODY_CHANGED'
  | 'BODY_READ_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'NETWORK_ERROR'
  | 'OUTCOME_UNKNOWN'
  | 'RESPONSE_TOO_LARGE'
  | 'FILE_WRITE_FAILED'
  | 'PROGRESS_LISTENER_FAILED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_KEY_INVALID'
  | 'LEASE_TIMEOUT'
  | 'LEASE_LOST'

/** The codes of {@link CoreErrorCode} as a runtime list (for exhaustiveness checks and docs). */
export const CORE_ERROR_CODES: readonly CoreErrorCode[] = [
  'INVALID_ARGUMENT',
  'INVALID_DATE',
  'INVALID_BASE64',
  'INVALID_HEX',
  'INVALID_PERCENT_ENCODING',
  'INVALID_URL',
  'BODY_CHANGED',
  'BODY_READ_FAILED',
  'TIMEOUT',
  'ABORTED',
  'NETWORK_ERROR',
  'OUTCOME_UNKNOWN',
  'RESPONSE_TOO_LARGE',
  'FILE_WRITE_FAILED',
  'PROGRESS_LISTENER_FAILED',
  'STORE_UNAVAILABLE',
  'STORE_KEY_INVALID',
  'LEASE_TIMEOUT',
  'LEASE_LOST',
]
