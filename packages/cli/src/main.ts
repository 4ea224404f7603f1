import { isSigwireError } from '@sigwire/core'
import { Command, CommanderError } from 'commander'
import { registerKeygen } from './commands/keygen.js'
import { EXIT, InputError } from './output/errors.js'
import { type Io, processIo } from './output/io.js'

/** Builds the `sigwire` program writing to `io`. */
export function buildProgram(io: Io): Command {
  const program = new Command('sigwire')
    .description(
      'Sign, verify and diagnose requests to CloudKit, Apple News, Safe Creative and iCloud.com; run local emulators.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    })
  registerKeygen(program, io)
  return program
}

/**
 * Runs the CLI. Returns the exit code: 0 ok, 1 the check failed (bad signature, findings), 2 usage or
 * input error. Commands set `process.exitCode`-style results by returning through {@link EXIT}.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return (program as Command & { sigwireExit?: number }).sigwireExit ?? EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    if (error instanceof InputError) {
      io.err(`sigwire: ${error.message}`)
      return EXIT.usage
    }
    if (isSigwireError(error)) {
      io.err(`sigwire: ${error.code}: ${error.message}`)
      return EXIT.usage
    }
    io.err(`sigwire: unexpected error: ${(error as Error).stack ?? error}`)
    return EXIT.usage
  }
}
