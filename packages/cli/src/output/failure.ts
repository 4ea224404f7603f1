import { isSigwireError } from '@sigwire/core'
import { CommanderError } from 'commander'
import { CLI_ERRORS, CliError, type CliErrorCode, EXIT } from './errors.js'
import type { Io } from './io.js'
import { cliWording } from './wording.js'

/** What the user is told when a command cannot finish: `sigwire: <code>: <message>`, and the exit code. */
export interface Failure {
  readonly code: string
  readonly message: string
  readonly exit: number
}

/** Library codes that mean the service was asked and could not answer: the check failed (exit 1). */
const SERVICE_UNREACHED = new Set([
  'TIMEOUT',
  'NETWORK_ERROR',
  'OUTCOME_UNKNOWN',
  'RESPONSE_TOO_LARGE',
  'STORE_UNAVAILABLE',
  'LEASE_TIMEOUT',
  'LEASE_LOST',
])

const COMMANDER_CODES: Readonly<Record<string, CliErrorCode>> = {
  'commander.unknownCommand': 'UNKNOWN_COMMAND',
  'commander.unknownOption': 'UNKNOWN_OPTION',
  'commander.missingMandatoryOptionValue': 'MISSING_OPTION',
  'commander.conflictingOption': 'CONFLICTING_OPTIONS',
  'commander.invalidArgument': 'INVALID_OPTION',
}

/**
 * Turns anything a command threw into a {@link Failure}. Messages come from typed errors only: an
 * unexpected error is reported by its class name, since its message may quote the input (a secret).
 * `helpHint` names the help of the command that was being parsed.
 */
export function describeFailure(error: unknown, helpHint = 'sigwire --help'): Failure {
  if (error instanceof CommanderError) {
    const code = COMMANDER_CODES[error.code] ?? 'USAGE'
    const said =
      error.code === 'commander.help'
        ? 'a command is missing.'
        : error.message
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .replace(/\.?\s*$/, '.')
    return { code, message: `${said} Run ${helpHint} for usage.`, exit: CLI_ERRORS[code].exit }
  }
  if (error instanceof CliError) return { code: error.code, message: error.message, exit: error.exit }
  if (isSigwireError(error)) {
    const reached = error.status !== undefined || SERVICE_UNREACHED.has(error.code)
    return { code: error.code, message: cliWording(error.message), exit: reached ? EXIT.failed : EXIT.usage }
  }
  const errno = systemFailure(error)
  if (errno) return errno
  const name = error instanceof Error ? error.name : typeof error
  return {
    code: 'INTERNAL',
    message: `sigwire stopped on an unexpected ${name}: this is a bug. Please report it at https://github.com/sigwire/sigwire/issues with the command line (secrets removed).`,
    exit: CLI_ERRORS.INTERNAL.exit,
  }
}

/** Node's system errors (ENOENT, EADDRINUSE, ...) that escaped a command, named by what they mean. */
function systemFailure(error: unknown): Failure | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number }
  if (!(error instanceof Error) || typeof e.code !== 'string' || !/^E[A-Z]+$/.test(e.code)) return undefined
  const listening = e.syscall === 'listen' || e.syscall === 'bind'
  const where = e.port === undefined ? '' : ` ${e.address ?? ''}:${e.port}`.replace(' :', ' port ')
  const make = (code: CliErrorCode, message: string): Failure => ({
    code,
    message,
    exit: CLI_ERRORS[code].exit,
  })
  if (e.code === 'EADDRINUSE')
    return make(
      'PORT_IN_USE',
      `The address${where} is already in use: pass another --port, stop what listens there, or leave --port out to use free ports.`,
    )
  if (listening && (e.code === 'EACCES' || e.code === 'EPERM'))
    return make(
      'PORT_IN_USE',
      `Not allowed to listen on${where} (ports below 1024 need privileges): pass --port 1024 or above.`,
    )
  if (listening)
    return make('INVALID_OPTION', `Cannot listen on${where} (${e.code}): check the host and port.`)
  const path = e.path === undefined ? 'a file' : e.path
  switch (e.code) {
    case 'ENOENT':
      return make('FILE_NOT_FOUND', `${path} does not exist: check the path.`)
    case 'ENOTDIR':
      return make('FILE_NOT_FOUND', `${path} does not exist: a part of the path is a file, not a directory.`)
    case 'EISDIR':
      return make('NOT_A_FILE', `${path} is a directory: name a file.`)
    case 'EEXIST':
      return make('NOT_A_DIRECTORY', `${path} exists and is not a directory: name a directory.`)
    case 'EACCES':
    case 'EPERM':
      return make('FILE_UNREADABLE', `Permission denied on ${path}: check its permissions.`)
    case 'ENOSPC':
    case 'EROFS':
    case 'EDQUOT':
      return make('FILE_WRITE_FAILED', `Cannot write ${path} (${e.code}): free space or pick another place.`)
    default:
      return undefined
  }
}

/** Writes a failure to stderr: one line `sigwire: <code>: <message>`, or with `--json` one JSON object. */
export function printFailure(io: Io, failure: Failure, json: boolean): void {
  io.err(
    json
      ? JSON.stringify({ error: { code: failure.code, message: failure.message } })
      : `sigwire: ${failure.code}: ${failure.message}`,
  )
}

/** Whether the command line asks for JSON output (`--json` before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}
