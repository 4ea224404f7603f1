import type { Command } from 'commander'
import { cliError } from '../output/errors.js'
import type { Io } from '../output/io.js'
import { parseCurl } from './curl.js'
import { parseHar } from './har.js'
import { dateOption, numberOption } from './option-values.js'
import type { ParsedRequest } from './parsed-request.js'
import { parseRawHttpRequest } from './raw-http.js'
import { readUserFileOrStdin } from './read-file.js'

/** Options that say where a request to verify or diagnose comes from. */
export interface RequestInputOptions {
  request?: string
  har?: string
  entry?: number
  match?: string
  curl?: string
  now?: Date
}

/** Adds `--request`, `--har`, `--entry`, `--match`, `--curl` and `--now` to a command. */
export function addRequestInputOptions(command: Command): Command {
  return command
    .option('--request <file>', 'raw HTTP/1.1 request (request line, headers, blank line, body); - for stdin')
    .option('--har <file>', 'HAR file exported from browser devtools')
    .option(
      '--entry <n>',
      'which HAR entry, from 0 (default: the first, or the first matching --match)',
      numberOption('--entry', { min: 0, max: 1_000_000, integer: true, unit: 'an entry number' }),
    )
    .option('--match <text>', 'pick the first HAR entry whose URL contains this')
    .option('--curl <command>', 'a curl command line, quoted')
    .option('--now <iso>', 'the server time to check dates against (default: now)', dateOption('--now'))
}

/** Reads the request named by exactly one of `--request`, `--har`, `--curl`. */
export function readRequestInput(options: RequestInputOptions, io: Io): ParsedRequest {
  const given = [options.request, options.har, options.curl].filter((v) => v !== undefined).length
  if (given === 0)
    throw cliError(
      'MISSING_OPTION',
      'Give the request to check with one of --request FILE, --har FILE or --curl "curl ...".',
    )
  if (given > 1)
    throw cliError(
      'CONFLICTING_OPTIONS',
      'Give the request with exactly one of --request, --har or --curl, not several.',
    )
  if (options.har === undefined && (options.entry !== undefined || options.match !== undefined))
    throw cliError('USAGE', '--entry and --match pick an entry of a --har file: pass --har, or drop them.')
  if (options.entry !== undefined && options.match !== undefined)
    throw cliError('CONFLICTING_OPTIONS', 'Pick the HAR entry with --entry or with --match, not both.')
  if (options.request !== undefined)
    return parseRawHttpRequest(readUserFileOrStdin(io, options.request, '--request'))
  if (options.har !== undefined)
    return parseHar(Buffer.from(readUserFileOrStdin(io, options.har, '--har')).toString('utf8'), {
      ...(options.entry === undefined ? {} : { entry: options.entry }),
      ...(options.match === undefined ? {} : { match: options.match }),
    })
  return parseCurl(options.curl!)
}

/** `--now` (default: the current time). */
export function nowFrom(options: { now?: Date }): Date {
  return options.now ?? new Date()
}
