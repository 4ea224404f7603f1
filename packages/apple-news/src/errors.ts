import { SigwireError, type SigwireErrorOptions, type TokenTrace } from '@sigwire/core'

/**
 * Every error code @sigwire/apple-news raises (transport failures keep core's codes: `TIMEOUT`,
 * `ABORTED`, `NETWORK_ERROR`, `BODY_CHANGED`...). Codes are stable: match on them, not on messages.
 *
 * - `INVALID_KEY_ID`: the API key ID is not a UUID.
 * - `INVALID_SECRET`: the API secret is not strict base64, or does not decode to a usable key.
 * - `INVALID_ID`: a channel, section or article ID passed to the client is not a UUID-like ID.
 * - `INVALID_BUNDLE`: the article bundle cannot be sent as given (a `bundle://` reference without a
 *   resource, two resources with one filename, a filename that cannot be put in a part header).
 * - `AUTHENTICATION_FAILED`: 401; `serviceCode` is Apple's code (`WRONG_SIGNATURE`, `DATE_NOT_RECENT`...),
 *   `trace` what was signed.
 * - `FORBIDDEN`: 403, the key's channel does not own the resource.
 * - `NOT_FOUND`: 404.
 * - `WRONG_REVISION`: 409, the article changed since the revision passed to `update`; read it again.
 * - `THROTTLED`: 429 after the retries; `retryAfterMs` says how long to wait.
 * - `REQUEST_REJECTED`: any other 4xx (400 `INVALID_DOCUMENT`, `MIME_PART_*`, 422...); `errors` has every item.
 * - `SERVICE_ERROR`: 5xx after the retries.
 * - `INVALID_RESPONSE`: the service answered something that is not the documented JSON.
 */
export type AppleNewsErrorCode =
  | 'INVALID_KEY_ID'
  | 'INVALID_SECRET'
  | 'INVALID_ID'
  | 'INVALID_BUNDLE'
  | 'AUTHENTICATION_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'WRONG_REVISION'
  | 'THROTTLED'
  | 'REQUEST_REJECTED'
  | 'SERVICE_ERROR'
  | 'INVALID_RESPONSE'

/** One item of Apple's error body `{"errors":[{code, keyPath, message, value}]}` (§4). */
export interface AppleNewsErrorItem {
  /** Apple's code, e.g. `WRONG_REVISION`, `MIME_PART_MISSING_FILENAME`. Always present. */
  readonly code: string
  /** Where in the request the problem is (`["data","revision"]`, `["components",1,"layout"]`). */
  readonly keyPath?: ReadonlyArray<string | number>
  /** Apple's explanation, when it gave one. */
  readonly message?: string
  /** The offending value (for `DUPLICATE_ARTICLE_FOUND`, the original article's ID). */
  readonly value?: unknown
}

/** Options of {@link AppleNewsError}. */
export interface AppleNewsErrorOptions extends SigwireErrorOptions<AppleNewsErrorCode> {
  /** Every error item of the response, in order. */
  errors?: readonly AppleNewsErrorItem[]
}

/** The error @sigwire/apple-news throws. `errors` keeps every item Apple returned. */
export class AppleNewsError extends SigwireError<AppleNewsErrorCode> {
  override readonly name: string = 'AppleNewsError'
  /** Every item of Apple's `errors` array (empty when the error did not come from a response). */
  readonly errors: readonly AppleNewsErrorItem[]

  constructor(options: AppleNewsErrorOptions) {
    super(options)
    this.errors = options.errors ?? []
  }

  /** A plain object for logs and `--json` output, with every error item. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.errors.length > 0 ? { errors: this.errors } : {}) }
  }
}

/** True when `error` is an {@link AppleNewsError}, optionally with the given code. */
export function isAppleNewsError(error: unknown, code?: AppleNewsErrorCode): error is AppleNewsError {
  return error instanceof AppleNewsError && (code === undefined || error.code === code)
}

/** Internal shorthand. */
export function appleNewsError(
  code: AppleNewsErrorCode,
  message: string,
  extra: Omit<AppleNewsErrorOptions, 'code' | 'message'> & { trace?: readonly TokenTrace[] } = {},
): AppleNewsError {
  return new AppleNewsError({ code, message, ...extra })
}
