/**
 * @sigwire/cli: the `sigwire` command. The programmatic entry point runs it with injectable output;
 * the request parsers read raw HTTP, HAR and curl input into what a server would receive.
 *
 * @packageDocumentation
 */
export { parseCurl } from './input/curl.js'
export { parseHar } from './input/har.js'
export type { ParsedRequest } from './input/parsed-request.js'
export { parseRawHttpRequest } from './input/raw-http.js'
export { buildProgram, main, type ProgramOutput, VERSION } from './main.js'
export { CLI_ERRORS, CliError, type CliErrorCode, EXIT } from './output/errors.js'
export { describeFailure, type Failure } from './output/failure.js'
export type { Io } from './output/io.js'
