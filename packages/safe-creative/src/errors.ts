import { type CoreErrorCode, SigwireError } from '@sigwire/core'

/**
 * Every error code @sigwire/safe-creative raises (plus the core transport codes). Codes are stable.
 *
 * Local mistakes, raised before anything is sent:
 * - `EMPTY_PRIVATE_KEY`: a private key (application or authkey) is missing or empty.
 * - `MISSING_COMPONENT`: the parameters have no `component` (nothing says which key signs).
 * - `UNKNOWN_COMPONENT`: the component is not in the key table, so sigwire cannot tell which key signs it.
 * - `INVALID_PARAMETER`: a parameter name or value is not a string, is duplicated, or is reserved
 *   (`signature`, `ztime`, `debug-component` are added by the signer).
 * - `AUTHKEY_REQUIRED`: the component is signed with an authkey's key and the signer has none.
 * - `AUTHKEY_MISMATCH`: the request names another authkey or sharedkey than the signer's.
 *
 * Answers of the service (`serviceCode`/`errorId` carries Safe Creative's own id):
 * - `INVALID_SIGNATURE` (`InvalidSignature`), `INVALID_TIME` (`InvalidTime`),
 *   `INVALID_NONCE_KEY` (`InvalidNonceKey`), `INSUFFICIENT_LEVEL` (`InsufficientLevel`),
 *   `NOT_AUTHORIZED` (`NotAuthorized`), `UNKNOWN_AUTHKEY` (`UserKeyAuthNotFound`),
 *   `UNKNOWN_SHARED_KEY` (`UserKeyNotFound`), `NOT_FOUND` (`WorkNotFound`, `UserNotFound`),
 *   `INVALID_REQUEST` (`InvalidParameter`, `InvalidRequest`, `InvalidRestComponent`, `InvalidProtocol`,
 *   `RestParameterNotFound`, `RestParameterNotExpected`), `SERVICE_ERROR` (any other `<error>`),
 *   `SERVICE_EXCEPTION` (an `<exception>`: a fault on Safe Creative's side),
 *   `UNEXPECTED_RESPONSE` (not the XML the component answers with, or an HTTP error status).
 *
 * Flows:
 * - `AUTHORIZATION_TIMEOUT`: the user did not approve the authkey in time.
 * - `UPLOAD_FAILED`: an upload step answered something other than what the protocol promises.
 */
export type SafeCreativeErrorCode =
  | CoreErrorCode
  | 'EMPTY_PRIVATE_KEY'
  | 'MISSING_COMPONENT'
  | 'UNKNOWN_COMPONENT'
  | 'INVALID_PARAMETER'
  | 'AUTHKEY_REQUIRED'
  | 'AUTHKEY_MISMATCH'
  | 'INVALID_SIGNATURE'
  | 'INVALID_TIME'
  | 'INVALID_NONCE_KEY'
  | 'INSUFFICIENT_LEVEL'
  | 'NOT_AUTHORIZED'
  | 'UNKNOWN_AUTHKEY'
  | 'UNKNOWN_SHARED_KEY'
  | 'NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'SERVICE_ERROR'
  | 'SERVICE_EXCEPTION'
  | 'UNEXPECTED_RESPONSE'
  | 'AUTHORIZATION_TIMEOUT'
  | 'UPLOAD_FAILED'

/** Safe Creative's `errorId` values and the sigwire code each maps to (docs/protocols/safe-creative.md §5). */
export const ERROR_ID_CODES: Readonly<Record<string, SafeCreativeErrorCode>> = {
  InvalidSignature: 'INVALID_SIGNATURE',
  InvalidTime: 'INVALID_TIME',
  InvalidNonceKey: 'INVALID_NONCE_KEY',
  InsufficientLevel: 'INSUFFICIENT_LEVEL',
  NotAuthorized: 'NOT_AUTHORIZED',
  UserKeyAuthNotFound: 'UNKNOWN_AUTHKEY',
  UserKeyNotFound: 'UNKNOWN_SHARED_KEY',
  WorkNotFound: 'NOT_FOUND',
  UserNotFound: 'NOT_FOUND',
  InvalidParameter: 'INVALID_REQUEST',
  InvalidRequest: 'INVALID_REQUEST',
  InvalidRestComponent: 'INVALID_REQUEST',
  InvalidProtocol: 'INVALID_REQUEST',
  RestParameterNotFound: 'INVALID_REQUEST',
  RestParameterNotExpected: 'INVALID_REQUEST',
}

/** An error of @sigwire/safe-creative. `errorId` is Safe Creative's own id when the service answered. */
export class SafeCreativeError extends SigwireError<SafeCreativeErrorCode> {
  override readonly name: string = 'SafeCreativeError'

  /** Safe Creative's `errorId` (or `exceptionId`), e.g. `InvalidSignature`; undefined for local errors. */
  get errorId(): string | undefined {
    return this.serviceCode
  }
}

/** True when `error` is a {@link SafeCreativeError}, optionally with the given code. */
export function isSafeCreativeError(
  error: unknown,
  code?: SafeCreativeErrorCode,
): error is SafeCreativeError {
  return error instanceof SafeCreativeError && (code === undefined || error.code === code)
}

/** Shorthand for a local (not service-caused) error. */
export function safeCreativeError(
  code: SafeCreativeErrorCode,
  message: string,
  details?: Record<string, unknown>,
): SafeCreativeError {
  return new SafeCreativeError({ code, message, ...(details ? { details } : {}) })
}
