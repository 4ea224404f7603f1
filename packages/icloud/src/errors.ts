import {
  adoptError,
  CORE_ERROR_CODES,
  type CoreErrorCode,
  SigwireError,
  type SigwireErrorOptions,
} from '@sigwire/core'

/**
 * Every error code @sigwire/icloud raises. Stable: match on them, not on messages.
 *
 * - `AUTHENTICATION_FAILED`: idmsa answered 401 with service error `-20101` (or `-20283`): the Apple
 *   ID or password is wrong (app-specific passwords are not accepted), or the SRP proof was built
 *   wrongly. Do not retry automatically: repeated failures lock the account.
 * - `AUTHENTICATION_REQUIRED`: there is no usable session: a service was called before
 *   `login()`/`resume()`, or the session expired and signing in again without the user did not help
 *   (no password held, or Apple asks for a new code); call `login()` interactively.
 * - `WRONG_CODE`: the two-factor or two-step code was rejected (`-21669`).
 * - `THROTTLED`: Apple answered 503 (or 429): too many sign-ins; wait `retryAfterMs` and do not loop.
 * - `TWO_FACTOR_REQUIRED`: Apple asks for a code and no `twoFactor` callback was given.
 * - `TWO_FACTOR_FAILED`: a code could not be requested or the trust step failed.
 * - `INVALID_PHONE`: the phone id chosen for an SMS or voice code is not one of the trusted numbers.
 * - `SECURITY_KEY_REQUIRED`: the account signs in with a security key and no `onSecurityKey` callback
 *   was given (a hardware key needs a WebAuthn-capable helper: a browser or a FIDO2 library).
 * - `SECURITY_KEY_REJECTED`: Apple refused the security-key assertion (wrong key, challenge, rpId or
 *   origin, or a bad signature).
 * - `WEB_ACCESS_REQUIRED`: an Advanced Data Protection account has not approved web access (or the
 *   PCS cookies of a service could not be had: Drive and Photos answer 423); pass `onWebAccessApproval`
 *   (the CLI waits for it) and approve the request on a trusted device.
 * - `BRIDGE_FAILED`: the trusted-device bridge sign-in (iOS 26.4 and later) could not go on: the push
 *   websocket was refused or closed, a bridge step was refused, or the device sent an error or a
 *   malformed message. Sign in again, or ask for an SMS code (`twoFactorMethod: 'sms'`). A code that does
 *   not match the one the device shows is `WRONG_CODE`.
 * - `SIGNIN_FAILED`: idmsa rejected the sign-in in another way (status and service code attached).
 * - `ACCOUNT_LOGIN_FAILED`: `accountLogin` refused the session token ("Missing apple_id field").
 * - `WRONG_REGION`: the account lives on the China mainland hosts (`domainToUse`); set `region: 'cn'`.
 * - `HOST_NOT_ALLOWED`: a URL (for example a tampered `webservices` entry) is outside the host allowlist.
 * - `INSECURE_URL`: a URL is not https (loopback is allowed only with `allowInsecureLoopback`).
 * - `TELEMETRY_BLOCKED`: something tried to reach `feedbackws.icloud.com`; sigwire never calls it.
 * - `SERVICE_NOT_AVAILABLE`: the account document lists no such web service.
 * - `SERVICE_ERROR`: a web service answered with an error.
 * - `INVALID_RESPONSE`: a response did not have the documented shape.
 * - `SRP_INVALID_PUBLIC_VALUE`: the server's B (or A, on the server side) is degenerate.
 * - `UNSUPPORTED_PROTOCOL`: `signin/init` chose a password protocol other than s2k or s2k_fo.
 * - `LEGACY_AUTH_DISABLED`: the plaintext `/login` was requested without opting in.
 * - `SESSION_STORE_FAILED`: the saved session could not be read or written.
 * - `NOT_FOUND`: a Drive path or item, a Photos album, asset or library, a Find My device, reminders list,
 *   reminder, Hide My Email address, note or Notes folder does not exist (or no longer does; `details.kind` says which where set).
 * - `CONFLICT`: a Drive item or Photos record changed since it was read (its `etag` or change tag is
 *   stale), or a Drive name is taken where it was to be created, moved or restored: read it again and decide.
 * - `QUOTA_EXCEEDED`: the account's iCloud storage is full; the upload was refused.
 * - `INVALID_NAME`: a Drive name is empty, `.`/`..`, contains `/` or NUL, or is over 255 UTF-8 bytes.
 * - `PHOTOS_NOT_READY`: Apple is still indexing the Photos library; try again in a few minutes.
 * - `URL_EXPIRED`: a Photos download URL expired (the client reads the asset again once by itself).
 * - `DOWNLOAD_INCOMPLETE`: a Drive or Photos download kept ending short of the size Apple announced
 *   through all its `Range` resumes; its partial file was removed.
 * - `CONFIRMATION_REQUIRED`: a destructive call (a Find My remote wipe) was made without its explicit
 *   confirmation argument.
 * - `NOTE_LOCKED`: a note is locked with a password; iCloud.com cannot read its body (unlock it in the
 *   Notes app).
 *
 * From the transport and core (see `CoreErrorCode`): `INVALID_ARGUMENT`, `TIMEOUT`, `ABORTED`,
 * `NETWORK_ERROR`, `OUTCOME_UNKNOWN` (a change whose answer was lost: read it again before repeating
 * it), ...; they reach you as an {@link ICloudError} too.
 */
export type ICloudErrorCode =
  | CoreErrorCode
  | 'AUTHENTICATION_FAILED'
  | 'AUTHENTICATION_REQUIRED'
  | 'WRONG_CODE'
  | 'THROTTLED'
  | 'TWO_FACTOR_REQUIRED'
  | 'TWO_FACTOR_FAILED'
  | 'INVALID_PHONE'
  | 'SECURITY_KEY_REQUIRED'
  | 'SECURITY_KEY_REJECTED'
  | 'WEB_ACCESS_REQUIRED'
  | 'BRIDGE_FAILED'
  | 'SIGNIN_FAILED'
  | 'ACCOUNT_LOGIN_FAILED'
  | 'WRONG_REGION'
  | 'HOST_NOT_ALLOWED'
  | 'INSECURE_URL'
  | 'TELEMETRY_BLOCKED'
  | 'SERVICE_NOT_AVAILABLE'
  | 'SERVICE_ERROR'
  | 'INVALID_RESPONSE'
  | 'SRP_INVALID_PUBLIC_VALUE'
  | 'UNSUPPORTED_PROTOCOL'
  | 'LEGACY_AUTH_DISABLED'
  | 'SESSION_STORE_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'QUOTA_EXCEEDED'
  | 'INVALID_NAME'
  | 'PHOTOS_NOT_READY'
  | 'URL_EXPIRED'
  | 'DOWNLOAD_INCOMPLETE'
  | 'CONFIRMATION_REQUIRED'
  | 'NOTE_LOCKED'

/** The codes of {@link ICloudErrorCode} as a runtime list. */
export const ICLOUD_ERROR_CODES: readonly ICloudErrorCode[] = [
  ...CORE_ERROR_CODES,
  'AUTHENTICATION_FAILED',
  'AUTHENTICATION_REQUIRED',
  'WRONG_CODE',
  'THROTTLED',
  'TWO_FACTOR_REQUIRED',
  'TWO_FACTOR_FAILED',
  'INVALID_PHONE',
  'SECURITY_KEY_REQUIRED',
  'SECURITY_KEY_REJECTED',
  'WEB_ACCESS_REQUIRED',
  'BRIDGE_FAILED',
  'SIGNIN_FAILED',
  'ACCOUNT_LOGIN_FAILED',
  'WRONG_REGION',
  'HOST_NOT_ALLOWED',
  'INSECURE_URL',
  'TELEMETRY_BLOCKED',
  'SERVICE_NOT_AVAILABLE',
  'SERVICE_ERROR',
  'INVALID_RESPONSE',
  'SRP_INVALID_PUBLIC_VALUE',
  'UNSUPPORTED_PROTOCOL',
  'LEGACY_AUTH_DISABLED',
  'SESSION_STORE_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'QUOTA_EXCEEDED',
  'INVALID_NAME',
  'PHOTOS_NOT_READY',
  'URL_EXPIRED',
  'DOWNLOAD_INCOMPLETE',
  'CONFIRMATION_REQUIRED',
  'NOTE_LOCKED',
]

/** The error class of @sigwire/icloud (transport errors included): a `SigwireError` with an {@link ICloudErrorCode}. */
export class ICloudError<C extends ICloudErrorCode = ICloudErrorCode> extends SigwireError<C> {
  /** Always `'ICloudError'` (what stack traces and `toJSON()` show). */
  override readonly name: string = 'ICloudError'

  constructor(options: SigwireErrorOptions<C>) {
    super(options)
  }
}

/**
 * Every error of @sigwire/icloud as a union discriminated by `code`: `switch (error.code)` narrows
 * it to `ICloudError<'THROTTLED'>` and so on.
 */
export type ICloudFailure = { [C in ICloudErrorCode]: ICloudError<C> }[ICloudErrorCode]

/** True when `error` is an {@link ICloudError} (of any origin), optionally with the given code. */
export function isICloudError<C extends ICloudErrorCode = ICloudErrorCode>(
  error: unknown,
  code?: C,
): error is ICloudError<C> {
  return error instanceof ICloudError && (code === undefined || error.code === code)
}

/** `error` as an {@link ICloudError} when it is a core error (see `adoptError`). */
export function toICloudError(error: unknown): unknown {
  return adoptError(error, ICloudError)
}
