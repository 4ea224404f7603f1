import { SigwireError } from '@sigwire/core'

/** Exit codes of every `sigwire` command. */
export const EXIT = {
  /** The check passed. */
  ok: 0,
  /** The check ran and failed: bad signature, findings, a refused sign-in, an unreachable service. */
  failed: 1,
  /** Usage or input error: the command could not run. */
  usage: 2,
} as const

/**
 * Every error code the CLI raises itself, with its exit code and what it means (the README's table is
 * checked against this list). Errors that come from a library keep the library's code
 * (`INVALID_KEY_ID`, `INVALID_SECRET`, `INVALID_DATE`, `AUTHENTICATION_FAILED`, ...).
 */
export const CLI_ERRORS = {
  USAGE: {
    exit: EXIT.usage,
    meaning: 'the command line cannot be read: a missing command or argument, an option without its value',
  },
  UNKNOWN_COMMAND: { exit: EXIT.usage, meaning: 'no such command' },
  UNKNOWN_OPTION: { exit: EXIT.usage, meaning: 'the command has no such option' },
  MISSING_OPTION: {
    exit: EXIT.usage,
    meaning: 'a required option, key, secret, password or request is not given',
  },
  CONFLICTING_OPTIONS: { exit: EXIT.usage, meaning: 'two options that exclude each other' },
  INVALID_OPTION: {
    exit: EXIT.usage,
    meaning: "an option's value cannot be used: not a number, out of range, not a date, not a listed value",
  },
  INVALID_METHOD: { exit: EXIT.usage, meaning: 'an HTTP method that is not a method token, such as "GE T"' },
  INVALID_URL: {
    exit: EXIT.usage,
    meaning: 'a URL that cannot be sent as given: not absolute, with user:password@, with spaces',
  },
  FILE_NOT_FOUND: { exit: EXIT.usage, meaning: 'a file named on the command line does not exist' },
  NOT_A_FILE: { exit: EXIT.usage, meaning: 'a directory where a file is expected' },
  NOT_A_DIRECTORY: { exit: EXIT.usage, meaning: 'a file where a directory is expected' },
  FILE_UNREADABLE: { exit: EXIT.usage, meaning: 'a file that cannot be read (permissions)' },
  FILE_TOO_LARGE: { exit: EXIT.usage, meaning: 'a file (or standard input) larger than sigwire reads' },
  FILE_EXISTS: { exit: EXIT.usage, meaning: 'a file sigwire would replace; --force replaces it' },
  FILE_WRITE_FAILED: { exit: EXIT.usage, meaning: 'a file or directory that cannot be written' },
  INVALID_REQUEST_FILE: { exit: EXIT.usage, meaning: 'a --request file that is not an HTTP/1.1 request' },
  INVALID_HAR: { exit: EXIT.usage, meaning: 'a --har file that is not a HAR with a usable request' },
  NO_MATCHING_ENTRY: { exit: EXIT.usage, meaning: 'no HAR entry matches --match' },
  INVALID_CURL: {
    exit: EXIT.usage,
    meaning: 'a --curl value that is not one curl command: an unbalanced quote, a pipe, no URL',
  },
  INVALID_CONFIG: { exit: EXIT.usage, meaning: 'an emulate --config file whose contents cannot be used' },
  INVALID_BUNDLE: {
    exit: EXIT.usage,
    meaning: 'an article bundle directory without article.json, or with a file that is not JSON',
  },
  NO_SESSION: { exit: EXIT.usage, meaning: 'no saved iCloud session to use' },
  INVALID_SESSION: { exit: EXIT.usage, meaning: 'a saved iCloud session file that is damaged' },
  NO_CODE: { exit: EXIT.usage, meaning: 'no two-factor code appeared in --code-file in time' },
  NO_ASSERTION: {
    exit: EXIT.usage,
    meaning:
      'no security-key assertion: --security-key-command failed, or nothing appeared in --security-key-file in time',
  },
  INVALID_ASSERTION: {
    exit: EXIT.usage,
    meaning: 'a security-key assertion that is not the JSON sigwire reads',
  },
  CANCELLED: { exit: EXIT.usage, meaning: 'a prompt was cancelled' },
  INTERRUPTED: {
    exit: EXIT.failed,
    meaning: 'stopped by Ctrl-C or SIGTERM before it finished: run it again to continue',
  },
  PORT_IN_USE: { exit: EXIT.usage, meaning: 'an emulator or web UI port is taken or not allowed' },
  INTERNAL: { exit: EXIT.usage, meaning: 'a bug in sigwire (please report it, with the command line)' },
} as const satisfies Record<string, { exit: number; meaning: string }>

/** A code of {@link CLI_ERRORS}. */
export type CliErrorCode = keyof typeof CLI_ERRORS

/**
 * An error the CLI raises itself (usage, files, input formats). Its exit code follows from its code;
 * its message says what is wrong and what to do, and never holds a secret.
 */
export class CliError extends SigwireError<CliErrorCode> {
  override readonly name: string = 'CliError'

  /** The exit code of this error's code. */
  get exit(): number {
    return CLI_ERRORS[this.code].exit
  }
}

/** Shorthand for `new CliError({ code, message })`. */
export function cliError(code: CliErrorCode, message: string): CliError {
  return new CliError({ code, message })
}
