import { SigwireError } from './sigwire-error.js'

/** Shorthand for the `INVALID_ARGUMENT` error raised when a caller passes a value of the wrong shape. */
export function invalidArgument(message: string, details?: Record<string, unknown>): SigwireError {
  return new SigwireError({ code: 'INVALID_ARGUMENT', message, ...(details ? { details } : {}) })
}
