import { closeSync, fstatSync, openSync } from 'node:fs'
import { CliError, type CliErrorCode, cliError } from '../output/errors.js'
import { type Io, readAll } from '../output/io.js'

/** Largest key, secret, password or passphrase file read (they are a few hundred bytes). */
export const SMALL_FILE_BYTES = 1 << 20
/** Largest request, HAR, body or signed-string file read. */
export const LARGE_FILE_BYTES = 1 << 30

/**
 * Reads a file the user named. `what` says where it was named (`--body-file`, `curl -d @file`) so every
 * error can name the flag: a missing file, a directory, a file that cannot be read, or one larger than
 * `maxBytes` (a device such as /dev/zero never ends) each get their code.
 */
export function readUserFile(path: string, what: string, maxBytes: number = LARGE_FILE_BYTES): Uint8Array {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw fileError(error, path, what)
  }
  try {
    if (fstatSync(fd).isDirectory())
      throw cliError('NOT_A_FILE', `${what} names ${path}, a directory: name a file.`)
    const bytes = readAll(fd, maxBytes)
    if (bytes === undefined) throw tooLarge(path, what, maxBytes)
    return bytes
  } catch (error) {
    throw error instanceof CliError ? error : fileError(error, path, what)
  } finally {
    closeSync(fd)
  }
}

/** Reads `path`, or standard input for `-` (told on a terminal, where it waits for typing). */
export function readUserFileOrStdin(io: Io, path: string, what: string): Uint8Array {
  if (path !== '-') return readUserFile(path, what)
  if (io.stdinIsTTY) io.err(`sigwire: reading ${what} from the terminal; end it with Ctrl-D`)
  const bytes = io.readStdin(LARGE_FILE_BYTES)
  if (bytes === undefined) throw tooLarge('standard input', what, LARGE_FILE_BYTES)
  return bytes
}

/** A system error about `path` (named by `what`) as a CLI error with a code and a fix. */
export function fileError(error: unknown, path: string, what: string): CliError {
  const code = (error as NodeJS.ErrnoException).code
  const make = (c: CliErrorCode, problem: string) => cliError(c, `${what} names ${path}, ${problem}`)
  switch (code) {
    case 'ENOENT':
      return make('FILE_NOT_FOUND', 'which does not exist: check the path.')
    case 'ENOTDIR':
      return make('FILE_NOT_FOUND', 'which does not exist (a part of the path is a file): check the path.')
    case 'EISDIR':
      return make('NOT_A_FILE', 'a directory: name a file.')
    case 'EACCES':
    case 'EPERM':
      return make('FILE_UNREADABLE', 'which sigwire may not read (permission denied): check its permissions.')
    default:
      return make('FILE_UNREADABLE', `which cannot be read (${code ?? 'unknown error'}).`)
  }
}

function tooLarge(path: string, what: string, maxBytes: number): CliError {
  const size = maxBytes >= 1 << 30 ? `${maxBytes / (1 << 30)} GiB` : `${maxBytes / (1 << 20)} MiB`
  return cliError(
    'FILE_TOO_LARGE',
    `${what} names ${path}, which holds more than ${size}, more than sigwire reads for it: check the path.`,
  )
}
