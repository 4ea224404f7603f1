/** Exit codes of every `sigwire` command. */
export const EXIT = {
  /** The check passed. */
  ok: 0,
  /** The check ran and failed: bad signature, findings. */
  failed: 1,
  /** Usage or input error: the command could not run. */
  usage: 2,
} as const

/** A problem with the command's input (file format, missing option): exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError'
}
