/**
 * Header names whose values are credentials in at least one of the protocols sigwire speaks.
 * Lower-case. Values of these headers are replaced wholesale in logs, traces and errors.
 */
export const SENSITIVE_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  // iCloud / IDMSA session material (docs/protocols/icloud.md §2.3)
  'scnt',
  'x-apple-id-session-id',
  'x-apple-session-token',
  'x-apple-twosv-trust-token',
  'x-apple-oauth-grant-code',
  'x-apple-auth-attributes',
  // CloudKit rotated user token (docs/protocols/cloudkit.md §3)
  'x-apple-cloudkit-web-auth-token',
  'x-apple-cloudkit-session',
])

/**
 * Query or form parameter names whose values are credentials. Compared case-insensitively.
 * CloudKit puts the API token and the user's web auth token in the query; iCloud's push long poll
 * puts the push token there (`tok`).
 */
export const SENSITIVE_PARAM_NAMES: ReadonlySet<string> = new Set([
  'ckapitoken',
  'ckwebauthtoken',
  'dswebauthtoken',
  'trusttoken',
  'password',
  'privatekey',
  'tok',
  'token',
])

/** The text that replaces a redacted value. */
export const REDACTED = '[redacted]'
