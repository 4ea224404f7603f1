import {
  adoptError,
  CORE_ERROR_CODES,
  type CoreErrorCode,
  SigwireError,
  type SigwireErrorOptions,
  type TokenTrace,
} from '@sigwire/core'

/**
 * Every error code @sigwire/apple-news raises. Codes are stable: match on them, not on messages.
 *
 * - `INVALID_ARGUMENT`: something passed to the client cannot be sent as given, before anything is
 *   sent: a channel, section or article ID that is not a UUID-like ID, an article bundle with a
 *   `bundle://` reference without a resource or two resources with one filename, a `baseUrl` with a
 *   query... `details.argument` names the option when there is one.
 * - `INVALID_KEY_ID`: the API key ID is not a UUID.
 * - `INVALID_SECRET`: the API secret is not strict base64, or does not decode to a usable key.
 * - `AUTHENTICATION_FAILED`: 401; `serviceCode` is Apple's code (`WRONG_SIGNATURE`, `DATE_NOT_RECENT`...),
 *   `trace` what was signed.
 * - `FORBIDDEN`: 403, the key's channel does not own the resource.
 * - `NOT_FOUND`: 404.
 * - `CONFLICT`: 409 `WRONG_REVISION` (the `serviceCode`): the article changed since the revision
 *   passed to `update`; read it again.
 * - `THROTTLED`: 429 after the retries; `retryAfterMs` says how long to wait.
 * - `REQUEST_REJECTED`: any other 4xx (400 `INVALID_DOCUMENT`, `MIME_PART_*`, 422...); `errors` has every item.
 * - `SERVICE_ERROR`: 5xx after the retries.
 * - `INVALID_RESPONSE`: the service answered something that is not the documented JSON.
 *
 * From the transport and core (see `CoreErrorCode`): `TIMEOUT`, `ABORTED`, `NETWORK_ERROR`,
 * `OUTCOME_UNKNOWN` (an article create or update whose answer was lost: search the channel's
 * articles by title before sending it again), `BODY_CHANGED`, `BODY_READ_FAILED`, ...; they reach you
 * as an {@link AppleNewsError} too.
 */
export type AppleNewsErrorCode =
  | CoreErrorCode
  | 'INVALID_KEY_ID'
  | 'INVALID_SECRET'
  | 'AUTHENTICATION_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'THROTTLED'
  | 'REQUEST_REJECTED'
  | 'SERVICE_ERROR'
  | 'INVALID_RESPONSE'

/** The codes of {@link AppleNewsErrorCode} as a runtime list. */
export const APPLE_NEWS_ERROR_CODES: readonly AppleNewsErrorCode[] = [
  ...CORE_ERROR_CODES,
  'INVALID_KEY_ID',
  'INVALID_SECRET',
  'AUTHENTICATION_FAILED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'THROTTLED',
  'REQUEST_REJECTED',
  'SERVICE_ERROR',
  'INVALID_RESPONSE',
]

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
export interface AppleNewsErrorOptions<C extends AppleNewsErrorCode = AppleNewsErrorCode>
  extends SigwireErrorOptions<C> {
  /** Every error item of the response, in order. */
  errors?: readonly AppleNewsErrorItem[]
}

/** The error @sigwire/apple-news throws, transport errors included. `errors` keeps every item Apple returned. */
export class AppleNewsError<C extends AppleNewsErrorCode = AppleNewsErrorCode> extends SigwireError<C> {
  /** Always `'AppleNewsError'` (what stack traces and `toJSON()` show). */
  override readonly name: string = 'AppleNewsError'
  /** Every item of Apple's `errors` array (empty when the error did not come from a response). */
  readonly errors: readonly AppleNewsErrorItem[]

  constructor(options: AppleNewsErrorOptions<C>) {
    super(options)
    this.errors = options.errors ?? []
  }

  /** A plain object for logs and `--json` output, with every error item. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.errors.length > 0 ? { errors: this.errors } : {}) }
  }
}

/**
 * Every error of @sigwire/apple-news as a union discriminated by `code`: `switch (error.code)`
 * narrows it to `AppleNewsError<'CONFLICT'>` and so on.
 */
export type AppleNewsFailure = { [C in AppleNewsErrorCode]: AppleNewsError<C> }[AppleNewsErrorCode]

/** True when `error` is an {@link AppleNewsError} (of any origin), optionally with the given code. */
export function isAppleNewsError<C extends AppleNewsErrorCode = AppleNewsErrorCode>(
  error: unknown,
  code?: C,
): error is AppleNewsError<C> {
  return error instanceof AppleNewsError && (code === undefined || error.code === code)
}

/** Internal shorthand. */
export function appleNewsError<C extends AppleNewsErrorCode>(
  code: C,
  message: string,
  extra: Omit<AppleNewsErrorOptions<C>, 'code' | 'message'> & { trace?: readonly TokenTrace[] } = {},
): AppleNewsError<C> {
  return new AppleNewsError({ code, message, ...extra })
}

/** `error` as an {@link AppleNewsError} when it is a core error (see `adoptError`). */
export function toAppleNewsError(error: unknown): unknown {
  return adoptError(error, AppleNewsError)
}
