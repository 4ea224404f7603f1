/**
 * Codes the kit itself raises before a route's handler runs. Each service's renderer turns them into
 * the service's own error shape (CloudKit `BAD_REQUEST`, Apple News `NOT_FOUND`, ...).
 *
 * - `NOT_FOUND`: no route has this path.
 * - `METHOD_NOT_ALLOWED`: a route has this path but not this method (`details.allow` lists the methods).
 * - `MALFORMED_REQUEST`: bad percent-encoding in the path, a body that is not UTF-8 JSON, or JSON nested
 *   deeper than the kit accepts.
 * - `BODY_TOO_LARGE`: the body is larger than the route's `maxBodyBytes`.
 * - `INTERNAL`: the emulator failed (a bug, or its state directory could not be written).
 */
export type KitErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'MALFORMED_REQUEST'
  | 'BODY_TOO_LARGE'
  | 'INTERNAL'

/** How an {@link EmulatorError} is counted in the request log. */
export type EmulatorErrorKind = 'auth' | 'request' | 'internal'

/** Options of {@link EmulatorError}. */
export interface EmulatorErrorOptions {
  /** HTTP status the service answers with. */
  readonly status: number
  /** Service fields the renderer puts into the body (`keyPath`, `retryAfter`, `redirectURL`, ...). */
  readonly details?: Readonly<Record<string, unknown>>
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`, ...). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>
  /** `auth` for a refused authentication (the doctor runs), `request` (default) or `internal`. */
  readonly kind?: EmulatorErrorKind
  /** Why, for the request log: a verifier or policy reason (`SIGNATURE_MISMATCH`). Default: the code. */
  readonly reason?: string
  /** What the log shows as the explanation when the service's own message is terse. Default: the message. */
  readonly explanation?: string
  /** The token the verifier named (`date`, `signature`, ...). */
  readonly token?: string
}

/**
 * The one error carrier of every emulator: thrown by the kit and by route handlers, rendered into the
 * service's own error body by the emulator's `renderError`, and recorded in the request log.
 */
export class EmulatorError extends Error {
  /** Always `'EmulatorError'` (what stack traces show). */
  override readonly name = 'EmulatorError'
  /** The service's error code (or a {@link KitErrorCode}). */
  readonly code: string
  /** HTTP status of the answer the service's renderer writes. */
  readonly status: number
  /** Service fields the renderer puts into the error body (`keyPath`, `retryAfter`, ...); `{}` when none. */
  readonly details: Readonly<Record<string, unknown>>
  /** Extra response headers sent with the error answer; `{}` when none. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>
  /** How the request log counts it; defaults to `internal` for a 5xx status and `request` otherwise. */
  readonly kind: EmulatorErrorKind
  /** Why, as the request log's `reason` (a verifier or policy reason); the `code` unless one was given. */
  readonly reason: string
  /** What the request log shows as `message`; the error's message unless one was given. */
  readonly explanation: string
  /** The string-to-sign token the verifier named (`date`, `signature`, ...), when it named one. */
  readonly token: string | undefined

  constructor(code: string, message: string, options: EmulatorErrorOptions) {
    super(message)
    this.code = code
    this.status = options.status
    this.details = options.details ?? {}
    this.headers = options.headers ?? {}
    this.kind = options.kind ?? (options.status >= 500 ? 'internal' : 'request')
    this.reason = options.reason ?? code
    this.explanation = options.explanation ?? message
    this.token = options.token
  }

  /** The same error with more response headers (a rotated token on an error answer). */
  withHeaders(headers: Readonly<Record<string, string | readonly string[]>>): EmulatorError {
    return new EmulatorError(this.code, this.message, {
      status: this.status,
      details: this.details,
      headers: { ...this.headers, ...headers },
      kind: this.kind,
      reason: this.reason,
      explanation: this.explanation,
      ...(this.token === undefined ? {} : { token: this.token }),
    })
  }
}

/** True for an {@link EmulatorError} (optionally with this code). */
export function isEmulatorError(value: unknown, code?: string): value is EmulatorError {
  return value instanceof EmulatorError && (code === undefined || value.code === code)
}

/** A kit error with one of the {@link KitErrorCode}s. */
export function kitError(
  code: KitErrorCode,
  message: string,
  options: Partial<EmulatorErrorOptions> = {},
): EmulatorError {
  const status = {
    NOT_FOUND: 404,
    METHOD_NOT_ALLOWED: 405,
    MALFORMED_REQUEST: 400,
    BODY_TOO_LARGE: 413,
    INTERNAL: 500,
  }[code]
  return new EmulatorError(code, message, { status, ...options })
}
