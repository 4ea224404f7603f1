import { SigwireError } from '@sigwire/core'

/**
 * Codes of {@link EmulatorUiError}: `INVALID_ARGUMENT` (a control's input is wrong; the message says
 * which field), `NOT_FOUND` (no such service, action or page), `ACTION_FAILED` (the emulator refused the
 * action, e.g. an unknown authkey).
 */
export type EmulatorUiErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ACTION_FAILED'

/** Every code of {@link EmulatorUiErrorCode}, at run time. */
export const EMULATOR_UI_ERROR_CODES: readonly EmulatorUiErrorCode[] = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ACTION_FAILED',
]

/** The one error class of @sigwire/emulator-ui; the UI's API answers it as `{ error: { code, message } }`. */
export class EmulatorUiError<C extends EmulatorUiErrorCode = EmulatorUiErrorCode> extends SigwireError<C> {
  /** Always `EmulatorUiError`. */
  override readonly name = 'EmulatorUiError'
}

/** True when `error` is an {@link EmulatorUiError} (of `code`, when given). */
export function isEmulatorUiError<C extends EmulatorUiErrorCode>(
  error: unknown,
  code?: C,
): error is EmulatorUiError<C> {
  return error instanceof EmulatorUiError && (code === undefined || error.code === code)
}

/** Shorthand for a new {@link EmulatorUiError}. */
export function uiError<C extends EmulatorUiErrorCode>(code: C, message: string): EmulatorUiError<C> {
  return new EmulatorUiError({ code, message, status: code === 'NOT_FOUND' ? 404 : 400 })
}
