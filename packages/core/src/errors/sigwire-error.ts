import type { TokenTrace } from '../tokens/token.js'
import type { CoreErrorCode } from './codes.js'

/** Options accepted by {@link SigwireError}. */
export interface SigwireErrorOptions<C extends string> {
  /** Stable machine-readable code. */
  code: C
  /** What went wrong and what to do about it. Must never contain a secret. */
  message: string
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number
  /** The service's own error code (`AUTHENTICATION_FAILED`, `WRONG_SIGNATURE`, `InvalidSignature`, ...). */
  serviceCode?: string
  /** How long the service asked the caller to wait before retrying, in milliseconds. */
  retryAfterMs?: number
  /** For authentication failures: the tokens that were signed (secrets masked). */
  trace?: readonly TokenTrace[]
  /** Extra structured facts (never secrets). */
  details?: Readonly<Record<string, unknown>>
  /** Underlying error, if any. Only pass errors whose messages cannot carry secrets. */
  cause?: unknown
}

/**
 * The base class of every error sigwire throws. `code` is stable and typed per package
 * (`SigwireError<CloudKitErrorCode>`); `message` says what to do.
 */
export class SigwireError<C extends string = CoreErrorCode> extends Error {
  /**
   * `'SigwireError'` here; each package's subclass sets its own (`CloudKitError`, `AppleNewsError`,
   * ...), which is what stack traces and `toJSON()` show.
   */
  override readonly name: string = 'SigwireError'
  /** Stable machine-readable code. */
  readonly code: C
  /** HTTP status, when the error came from a response. */
  readonly status: number | undefined
  /** The service's own error code, when it sent one. */
  readonly serviceCode: string | undefined
  /** Milliseconds the service asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined
  /** What was signed, for authentication failures (secrets masked). */
  readonly trace: readonly TokenTrace[] | undefined
  /** Extra structured facts. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(options: SigwireErrorOptions<C>) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.status = options.status
    this.serviceCode = options.serviceCode
    this.retryAfterMs = options.retryAfterMs
    this.trace = options.trace
    this.details = options.details
  }

  /** A plain object for logs and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.serviceCode === undefined ? {} : { serviceCode: this.serviceCode }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.trace === undefined ? {} : { trace: this.trace }),
    }
  }
}

/** True when `error` is a {@link SigwireError}, optionally with the given code. */
export function isSigwireError<C extends string = string>(
  error: unknown,
  code?: C,
): error is SigwireError<C> {
  return error instanceof SigwireError && (code === undefined || error.code === code)
}
