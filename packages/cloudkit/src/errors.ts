import {
  adoptError,
  CORE_ERROR_CODES,
  type CoreErrorCode,
  SigwireError,
  type SigwireErrorOptions,
} from '@sigwire/core'
import {
  type CloudKitWireErrorCode,
  CLOUDKIT_SERVER_ERROR_CODES as SERVER_ERROR_CODES,
} from '@sigwire/core/cloudkit'

/**
 * `serverErrorCode` values CloudKit answers with (DOC `ErrorCodes`; `UNIQUE_FIELD_ERROR` and
 * `ZONE_BUSY` from CloudKit JS; docs/protocols/cloudkit.md §5). An error caused by one of them has it as
 * both `code` and `serviceCode`.
 */
export type CloudKitServerErrorCode = CloudKitWireErrorCode

/** The server error codes as a runtime list. */
export const CLOUDKIT_SERVER_ERROR_CODES: readonly CloudKitServerErrorCode[] = SERVER_ERROR_CODES

/**
 * Every error code @sigwire/cloudkit raises. Codes are stable: match on them, not on messages.
 *
 * Raised before anything is sent:
 * - `INVALID_ARGUMENT`: an argument breaks a documented rule (a container not beginning with
 *   `iCloud.`, an upper-case environment, a missing `recordChangeTag`, `IN` without a list value,
 *   more than 200 operations, a `baseUrl` with a query, missing credentials for a database...).
 *   `details.argument` names the option when there is one.
 * - `KEY_UNREADABLE`: the private key is not PEM, DER or base64 of a key.
 * - `KEY_NOT_EC`: the key is RSA, Ed25519 or another non-EC type.
 * - `KEY_WRONG_CURVE`: an EC key on a curve other than P-256 (P-384, secp256k1, ...).
 * - `KEY_IS_PUBLIC`: a public key (or certificate) was passed where the private key belongs.
 * - `KEY_PASSPHRASE_REQUIRED` / `KEY_PASSPHRASE_WRONG`: an encrypted key without / with the wrong passphrase.
 * - `INVALID_KEY_ID`: the key ID is empty or has characters a header cannot carry.
 *
 * Raised from a response: every {@link CloudKitServerErrorCode} (`AUTHENTICATION_FAILED`,
 * `THROTTLED`, `CONFLICT`, ...), `UNKNOWN_SERVER_ERROR` for a code this version does not know (the
 * raw code is in `serviceCode`), and `INVALID_RESPONSE` for a body that is not CloudKit's JSON.
 *
 * From the transport and core (see `CoreErrorCode`): `TIMEOUT`, `ABORTED`, `NETWORK_ERROR`,
 * `OUTCOME_UNKNOWN` (a write whose answer was lost: look the record up, compare its
 * `recordChangeTag`), `RESPONSE_TOO_LARGE`, `BODY_CHANGED`, `BODY_READ_FAILED`, `FILE_WRITE_FAILED`,
 * `PROGRESS_LISTENER_FAILED`, ...; they reach you as a {@link CloudKitError} too.
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
  | 'UNKNOWN_SERVER_ERROR'
  | 'INVALID_RESPONSE'

/** The codes of {@link CloudKitErrorCode} as a runtime list. */
export const CLOUDKIT_ERROR_CODES: readonly CloudKitErrorCode[] = [
  ...new Set<CloudKitErrorCode>([
    ...CORE_ERROR_CODES,
    ...CLOUDKIT_SERVER_ERROR_CODES,
    'KEY_UNREADABLE',
    'KEY_NOT_EC',
    'KEY_WRONG_CURVE',
    'KEY_IS_PUBLIC',
    'KEY_PASSPHRASE_REQUIRED',
    'KEY_PASSPHRASE_WRONG',
    'INVALID_KEY_ID',
    'UNKNOWN_SERVER_ERROR',
    'INVALID_RESPONSE',
  ]),
]

/** Options of {@link CloudKitError}: the core options plus CloudKit's error-dictionary fields. */
export interface CloudKitErrorOptions<C extends CloudKitErrorCode = CloudKitErrorCode>
  extends SigwireErrorOptions<C> {
  /** The `uuid` CloudKit gives every error (quote it to Apple). */
  uuid?: string
  /** CloudKit's `reason` text. */
  reason?: string
  /** For `AUTHENTICATION_REQUIRED`: where the user signs in (DOC; §3). */
  redirectURL?: string
  /** For per-record errors: the record concerned. */
  recordName?: string
}

/** Every error @sigwire/cloudkit throws or returns per item, transport errors included. */
export class CloudKitError<C extends CloudKitErrorCode = CloudKitErrorCode> extends SigwireError<C> {
  /** Always `'CloudKitError'` (what stack traces and `toJSON()` show). */
  override readonly name: string = 'CloudKitError'
  /** CloudKit's error `uuid`, when a response caused the error. */
  readonly uuid: string | undefined
  /** CloudKit's `reason`, when a response caused the error. */
  readonly reason: string | undefined
  /** Sign-in URL of an `AUTHENTICATION_REQUIRED` error. */
  readonly redirectURL: string | undefined
  /** The record a per-record error is about. */
  readonly recordName: string | undefined

  constructor(options: CloudKitErrorOptions<C>) {
    super(options)
    this.uuid = options.uuid
    this.reason = options.reason
    this.redirectURL = options.redirectURL
    this.recordName = options.recordName
  }

  /** A plain object for logs and `--json` output, with `uuid`, `reason`, `redirectURL` and `recordName`. */
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

/**
 * Every error of @sigwire/cloudkit as a union discriminated by `code`: `switch (error.code)` narrows
 * it to `CloudKitError<'THROTTLED'>` and so on.
 */
export type CloudKitFailure = { [C in CloudKitErrorCode]: CloudKitError<C> }[CloudKitErrorCode]

/** True when `error` is a {@link CloudKitError} (of any origin), optionally with the given code. */
export function isCloudKitError<C extends CloudKitErrorCode = CloudKitErrorCode>(
  error: unknown,
  code?: C,
): error is CloudKitError<C> {
  return error instanceof CloudKitError && (code === undefined || error.code === code)
}

/** `error` as a {@link CloudKitError} when it is a core error (see `adoptError`). */
export function cloudKitError(error: unknown): unknown {
  return adoptError(error, CloudKitError)
}

/** `INVALID_ARGUMENT` with `message`, naming the option or argument in `details.argument`. */
export function invalidArgument(message: string, argument?: string): CloudKitError<'INVALID_ARGUMENT'> {
  return new CloudKitError({
    code: 'INVALID_ARGUMENT',
    message,
    ...(argument === undefined ? {} : { details: { argument } }),
  })
}

/** True when `code` is one of CloudKit's documented server error codes. */
export function isServerErrorCode(code: unknown): code is CloudKitServerErrorCode {
  return typeof code === 'string' && (CLOUDKIT_SERVER_ERROR_CODES as readonly string[]).includes(code)
}
