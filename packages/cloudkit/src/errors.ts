import { type CoreErrorCode, SigwireError, type SigwireErrorOptions } from '@sigwire/core'

/**
 * `serverErrorCode` values CloudKit answers with (DOC `ErrorCodes`; `UNIQUE_FIELD_ERROR` and
 * `ZONE_BUSY` from CloudKit JS; docs/protocols/cloudkit.md §5). An error caused by one of them has it as
 * both `code` and `serviceCode`.
 */
export type CloudKitServerErrorCode =
  | 'BAD_REQUEST'
  | 'ATOMIC_ERROR'
  | 'AUTHENTICATION_FAILED'
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'ZONE_NOT_FOUND'
  | 'CONFLICT'
  | 'EXISTS'
  | 'VALIDATING_REFERENCE_ERROR'
  | 'QUOTA_EXCEEDED'
  | 'AUTHENTICATION_REQUIRED'
  | 'THROTTLED'
  | 'INTERNAL_ERROR'
  | 'TRY_AGAIN_LATER'
  | 'UNIQUE_FIELD_ERROR'
  | 'ZONE_BUSY'

/** The server error codes as a runtime list. */
export const CLOUDKIT_SERVER_ERROR_CODES: readonly CloudKitServerErrorCode[] = [
  'BAD_REQUEST',
  'ATOMIC_ERROR',
  'AUTHENTICATION_FAILED',
  'ACCESS_DENIED',
  'NOT_FOUND',
  'ZONE_NOT_FOUND',
  'CONFLICT',
  'EXISTS',
  'VALIDATING_REFERENCE_ERROR',
  'QUOTA_EXCEEDED',
  'AUTHENTICATION_REQUIRED',
  'THROTTLED',
  'INTERNAL_ERROR',
  'TRY_AGAIN_LATER',
  'UNIQUE_FIELD_ERROR',
  'ZONE_BUSY',
]

/** HTTP status for each server error code (DOC `ErrorCodes`; §5). */
export const SERVER_ERROR_STATUS: Readonly<Record<CloudKitServerErrorCode, number>> = {
  BAD_REQUEST: 400,
  ATOMIC_ERROR: 400,
  AUTHENTICATION_FAILED: 401,
  ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  ZONE_NOT_FOUND: 404,
  CONFLICT: 409,
  EXISTS: 409,
  VALIDATING_REFERENCE_ERROR: 412,
  QUOTA_EXCEEDED: 413,
  AUTHENTICATION_REQUIRED: 421,
  THROTTLED: 429,
  INTERNAL_ERROR: 500,
  TRY_AGAIN_LATER: 503,
  UNIQUE_FIELD_ERROR: 409,
  ZONE_BUSY: 503,
}

/**
 * Every error code @sigwire/cloudkit raises. Codes are stable: match on them, not on messages.
 *
 * Raised before anything is sent:
 * - `KEY_UNREADABLE`: the private key is not PEM, DER or base64 of a key.
 * - `KEY_NOT_EC`: the key is RSA, Ed25519 or another non-EC type.
 * - `KEY_WRONG_CURVE`: an EC key on a curve other than P-256 (P-384, secp256k1, ...).
 * - `KEY_IS_PUBLIC`: a public key (or certificate) was passed where the private key belongs.
 * - `KEY_PASSPHRASE_REQUIRED` / `KEY_PASSPHRASE_WRONG`: an encrypted key without / with the wrong passphrase.
 * - `INVALID_KEY_ID`: the key ID is empty or has characters a header cannot carry.
 * - `INVALID_CONTAINER`, `INVALID_ENVIRONMENT`, `INVALID_DATABASE`: addressing rejected before sending.
 * - `INVALID_REQUEST`: an operation's arguments break a documented rule (a missing `recordChangeTag`,
 *   `IN` without a list value, more than 200 operations...).
 * - `AUTH_NOT_CONFIGURED`: the call needs credentials the client was not given (a user database
 *   without an API token).
 *
 * Raised from a response: every {@link CloudKitServerErrorCode}, `UNKNOWN_SERVER_ERROR` for a code
 * this version does not know (the raw code is in `serviceCode`), and `UNEXPECTED_RESPONSE` for a body
 * that is not CloudKit's JSON.
 *
 * Core codes (`TIMEOUT`, `ABORTED`, `NETWORK_ERROR`, `BODY_CHANGED`, ...) come from the transport.
 */
export type CloudKitErrorCode =
  | CoreErrorCode
  | CloudKitServerErrorCode
  | 'KEY_UNREADABLE'
  | 'KEY_NOT_EC'
  | 'KEY_WRONG_CURVE'
  | 'KEY_IS_PUBLIC'
  | 'KEY_PASSPHRASE_REQUIRED'
  | 'KEY_PASSPHRASE_WRONG'
  | 'INVALID_KEY_ID'
  | 'INVALID_CONTAINER'
  | 'INVALID_ENVIRONMENT'
  | 'INVALID_DATABASE'
  | 'INVALID_REQUEST'
  | 'AUTH_NOT_CONFIGURED'
  | 'UNKNOWN_SERVER_ERROR'
  | 'UNEXPECTED_RESPONSE'

/** Options of {@link CloudKitError}: the core options plus CloudKit's error-dictionary fields. */
export interface CloudKitErrorOptions extends SigwireErrorOptions<CloudKitErrorCode> {
  /** The `uuid` CloudKit gives every error (quote it to Apple). */
  uuid?: string
  /** CloudKit's `reason` text. */
  reason?: string
  /** For `AUTHENTICATION_REQUIRED`: where the user signs in (DOC; §3). */
  redirectURL?: string
  /** For per-record errors: the record concerned. */
  recordName?: string
}

/** Every error @sigwire/cloudkit throws or returns per item. */
export class CloudKitError extends SigwireError<CloudKitErrorCode> {
  override readonly name: string = 'CloudKitError'
  /** CloudKit's error `uuid`, when a response caused the error. */
  readonly uuid: string | undefined
  /** CloudKit's `reason`, when a response caused the error. */
  readonly reason: string | undefined
  /** Sign-in URL of an `AUTHENTICATION_REQUIRED` error. */
  readonly redirectURL: string | undefined
  /** The record a per-record error is about. */
  readonly recordName: string | undefined

  constructor(options: CloudKitErrorOptions) {
    super(options)
    this.uuid = options.uuid
    this.reason = options.reason
    this.redirectURL = options.redirectURL
    this.recordName = options.recordName
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      ...(this.uuid === undefined ? {} : { uuid: this.uuid }),
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.redirectURL === undefined ? {} : { redirectURL: this.redirectURL }),
      ...(this.recordName === undefined ? {} : { recordName: this.recordName }),
    }
  }
}

/** True when `error` is a {@link CloudKitError}, optionally with the given code. */
export function isCloudKitError(error: unknown, code?: CloudKitErrorCode): error is CloudKitError {
  return error instanceof CloudKitError && (code === undefined || error.code === code)
}

/** True when `code` is one of CloudKit's documented server error codes. */
export function isServerErrorCode(code: unknown): code is CloudKitServerErrorCode {
  return typeof code === 'string' && (CLOUDKIT_SERVER_ERROR_CODES as readonly string[]).includes(code)
}
