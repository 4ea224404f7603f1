import {
  adoptError,
  CORE_ERROR_CODES,
  type CoreErrorCode,
  SigwireError,
  type SigwireErrorOptions,
} from '@sigwire/core'

/**
 * Every error code @sigwire/safe-creative raises. Codes are stable: match on them, not on messages.
 *
 * Local mistakes, raised before anything is sent:
 * - `INVALID_ARGUMENT`: an argument cannot be sent as given: a parameter name or value that is not a
 *   string, is duplicated, or is reserved (`signature`, `ztime`, `debug-component` are added by the
 *   signer); a work without a title; a corrupt authorization file; a `baseUrl` with a query...
 * - `EMPTY_PRIVATE_KEY`: a private key (application or authkey) is missing or empty.
 * - `MISSING_COMPONENT`: the parameters have no `component` (nothing says which key signs).
 * - `UNKNOWN_COMPONENT`: the component is not in the key table, so sigwire cannot tell which key signs it.
 * - `AUTHKEY_REQUIRED`: the component is signed with an authkey's key and the signer has none.
 * - `AUTHKEY_MISMATCH`: the request names another authkey or sharedkey than the signer's.
 *
 * Answers of the service (`serviceCode`, also `errorId`, is Safe Creative's own id):
 * - `AUTHENTICATION_FAILED`: `InvalidSignature`, `InvalidTime` (after the one resync from
 *   `component=ztime`), `UserKeyNotFound` (an unknown sharedkey); `trace` shows what was signed.
 * - `INVALID_NONCE_KEY` (`InvalidNonceKey`), `INSUFFICIENT_LEVEL` (`InsufficientLevel`),
 *   `NOT_AUTHORIZED` (`NotAuthorized`), `UNKNOWN_AUTHKEY` (`UserKeyAuthNotFound`),
 *   `NOT_FOUND` (`WorkNotFound`, `UserNotFound`).
 * - `REQUEST_REJECTED`: the service refused the request as malformed (`InvalidParameter`,
 *   `InvalidRequest`, `InvalidRestComponent`, `InvalidProtocol`, `RestParameterNotFound`,
 *   `RestParameterNotExpected`).
 * - `THROTTLED`: HTTP 429 after the retries; `retryAfterMs` says how long to wait.
 * - `SERVICE_ERROR` (any other `<error>`), `SERVICE_EXCEPTION` (an `<exception>`: a fault on Safe
 *   Creative's side), `INVALID_RESPONSE` (not the XML the component answers with, or an HTTP error status).
 *
 * Flows:
 * - `AUTHORIZATION_TIMEOUT`: the user did not approve the authkey in time.
 * - `UPLOAD_FAILED`: an upload step answered something other than what the protocol promises.
 *
 * From the transport and core (see `CoreErrorCode`): `TIMEOUT`, `ABORTED`, `NETWORK_ERROR`,
 * `OUTCOME_UNKNOWN` (a registration whose answer was lost: list the user's works, `work.list`, before
 * registering again), `BODY_CHANGED`, ...; they reach you as a {@link SafeCreativeError} too.
 */
export type SafeCreativeErrorCode =
  | CoreErrorCode
  | 'EMPTY_PRIVATE_KEY'
  | 'MISSING_COMPONENT'
  | 'UNKNOWN_COMPONENT'
  | 'AUTHKEY_REQUIRED'
  | 'AUTHKEY_MISMATCH'
  | 'AUTHENTICATION_FAILED'
  | 'INVALID_NONCE_KEY'
  | 'INSUFFICIENT_LEVEL'
  | 'NOT_AUTHORIZED'
  | 'UNKNOWN_AUTHKEY'
  | 'NOT_FOUND'
  | 'REQUEST_REJECTED'
  | 'THROTTLED'
  | 'SERVICE_ERROR'
  | 'SERVICE_EXCEPTION'
  | 'INVALID_RESPONSE'
  | 'AUTHORIZATION_TIMEOUT'
  | 'UPLOAD_FAILED'

/** The codes of {@link SafeCreativeErrorCode} as a runtime list. */
export const SAFE_CREATIVE_ERROR_CODES: readonly SafeCreativeErrorCode[] = [
  ...CORE_ERROR_CODES,
  'EMPTY_PRIVATE_KEY',
  'MISSING_COMPONENT',
  'UNKNOWN_COMPONENT',
  'AUTHKEY_REQUIRED',
  'AUTHKEY_MISMATCH',
  'AUTHENTICATION_FAILED',
  'INVALID_NONCE_KEY',
  'INSUFFICIENT_LEVEL',
  'NOT_AUTHORIZED',
  'UNKNOWN_AUTHKEY',
  'NOT_FOUND',
  'REQUEST_REJECTED',
  'THROTTLED',
  'SERVICE_ERROR',
  'SERVICE_EXCEPTION',
  'INVALID_RESPONSE',
  'AUTHORIZATION_TIMEOUT',
  'UPLOAD_FAILED',
]

/** Safe Creative's `errorId` values and the sigwire code each maps to (docs/protocols/safe-creative.md §5). */
export const ERROR_ID_CODES: Readonly<Record<string, SafeCreativeErrorCode>> = {
  InvalidSignature: 'AUTHENTICATION_FAILED',
  InvalidTime: 'AUTHENTICATION_FAILED',
  UserKeyNotFound: 'AUTHENTICATION_FAILED',
  InvalidNonceKey: 'INVALID_NONCE_KEY',
  InsufficientLevel: 'INSUFFICIENT_LEVEL',
  NotAuthorized: 'NOT_AUTHORIZED',
  UserKeyAuthNotFound: 'UNKNOWN_AUTHKEY',
  WorkNotFound: 'NOT_FOUND',
  UserNotFound: 'NOT_FOUND',
  InvalidParameter: 'REQUEST_REJECTED',
  InvalidRequest: 'REQUEST_REJECTED',
  InvalidRestComponent: 'REQUEST_REJECTED',
  InvalidProtocol: 'REQUEST_REJECTED',
  RestParameterNotFound: 'REQUEST_REJECTED',
  RestParameterNotExpected: 'REQUEST_REJECTED',
}

/**
 * An error of @sigwire/safe-creative, transport errors included. `errorId` is Safe Creative's own id
 * when the service answered.
 */
export class SafeCreativeError<
  C extends SafeCreativeErrorCode = SafeCreativeErrorCode,
> extends SigwireError<C> {
  /** Always `'SafeCreativeError'` (what stack traces and `toJSON()` show). */
  override readonly name: string = 'SafeCreativeError'

  constructor(options: SigwireErrorOptions<C>) {
    super(options)
  }

  /** Safe Creative's `errorId` (or `exceptionId`), e.g. `InvalidSignature`; undefined for local errors. */
  get errorId(): string | undefined {
    return this.serviceCode
  }
}

/**
 * Every error of @sigwire/safe-creative as a union discriminated by `code`: `switch (error.code)`
 * narrows it to `SafeCreativeError<'THROTTLED'>` and so on.
 */
export type SafeCreativeFailure = {
  [C in SafeCreativeErrorCode]: SafeCreativeError<C>
}[SafeCreativeErrorCode]

/** True when `error` is a {@link SafeCreativeError} (of any origin), optionally with the given code. */
export function isSafeCreativeError<C extends SafeCreativeErrorCode = SafeCreativeErrorCode>(
  error: unknown,
  code?: C,
): error is SafeCreativeError<C> {
  return error instanceof SafeCreativeError && (code === undefined || error.code === code)
}

/** Shorthand for a local (not service-caused) error. */
export function safeCreativeError<C extends SafeCreativeErrorCode>(
  code: C,
  message: string,
  details?: Record<string, unknown>,
): SafeCreativeError<C> {
  return new SafeCreativeError({ code, message, ...(details ? { details } : {}) })
}

/** `error` as a {@link SafeCreativeError} when it is a core error (see `adoptError`). */
export function toSafeCreativeError(error: unknown): unknown {
  return adoptError(error, SafeCreativeError)
}
