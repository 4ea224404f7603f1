import { SigwireError, type SigwireErrorOptions } from './sigwire-error.js'

/** A package's error class, as {@link adoptError} constructs it. */
// biome-ignore lint/suspicious/noExplicitAny: each package's class narrows the code union itself
export type SigwireErrorClass<E extends SigwireError<any>> = new (options: SigwireErrorOptions<any>) => E

/**
 * `error` as an instance of the package's own class, so a caller matches one class per package: a
 * core error (a transport `TIMEOUT`, a body's `BODY_CHANGED`) becomes `ErrorClass` with the same code,
 * message, status, service code, wait, trace and details, and the core error as its `cause`. An
 * `AbortError` (a caller's signal ending a stream or a file write) becomes `ABORTED`. An error already
 * of the class, and anything that is not a sigwire error (a bug), is returned as it is.
 */
// biome-ignore lint/suspicious/noExplicitAny: see SigwireErrorClass
export function adoptError<E extends SigwireError<any>>(
  error: unknown,
  ErrorClass: SigwireErrorClass<E>,
): unknown {
  if (error instanceof ErrorClass) return error
  if (error instanceof SigwireError) {
    return new ErrorClass({
      code: error.code,
      message: error.message,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.trace === undefined ? {} : { trace: error.trace }),
      ...(error.details === undefined ? {} : { details: error.details }),
      cause: error,
    })
  }
  if (error instanceof Error && error.name === 'AbortError')
    return new ErrorClass({
      code: 'ABORTED',
      message: 'The operation was aborted by the caller.',
      cause: error,
    })
  return error
}
