import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { InputError } from '../output/errors.js'
import { parseCurl } from './curl.js'
import { parseHar } from './har.js'
import type { ParsedRequest } from './parsed-request.js'
import { parseRawHttpRequest } from './raw-http.js'

/** Options that say where a request to verify or diagnose comes from. */
export interface RequestInputOptions {
  request?: string
  har?: string
  entry?: string
  match?: string
  curl?: string
  now?: string
}

/** Adds `--request`, `--har`, `--entry`, `--match`, `--curl` and `--now` to a command. */
export function addRequestInputOptions(command: Command): Command {
  return command
    .option('--request <file>', 'raw HTTP/1.1 request (request line, headers, blank line, body); - for stdin')
    .option('--har <file>', 'HAR file exported from browser devtools')
    .option('--entry <n>', 'which HAR entry (default: the first, or the first matching --match)')
    .option('--match <text>', 'pick the first HAR entry whose URL contains this')
    .option('--curl <command>', 'a curl command line, quoted')
    .option('--now <iso>', 'the server time to check dates against (default: now)')
}

/** Reads the request named by exactly one of `--request`, `--har`, `--curl`. */
export function readRequestInput(options: RequestInputOptions): ParsedRequest {
  const given = [options.request, options.har, options.curl].filter((v) => v !== undefined).length
  if (given !== 1)
    throw new InputError(
      'Give the request with exactly one of --request FILE, --har FILE or --curl "curl ...".',
    )
  if (options.request !== undefined)
    return parseRawHttpRequest(readInputFile(options.request, 'request file'))
  if (options.har !== undefined) {
    const entry = options.entry === undefined ? undefined : Number(options.entry)
    if (entry !== undefined && !Number.isInteger(entry)) throw new InputError('--entry takes a number.')
    return parseHar(Buffer.from(readInputFile(options.har, 'HAR file')).toString('utf8'), {
      ...(entry === undefined ? {} : { entry }),
      ...(options.match === undefined ? {} : { match: options.match }),
    })
  }
  return parseCurl(options.curl!)
}

/** `--now` as a Date (default: the current time). */
export function nowFrom(options: { now?: string }): Date {
  if (options.now === undefined) return new Date()
  const date = new Date(options.now)
  if (Number.isNaN(date.getTime()))
    throw new InputError(
      `--now ${JSON.stringify(options.now)} is not a date; use ISO 8601 like 2026-03-14T15:09:26Z.`,
    )
  return date
}

function readInputFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path === '-' ? 0 : path))
  } catch (error) {
    throw new InputError(
      `Cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    )
  }
}
