import { isSigwireError } from '@sigwire/core'
import { Command, CommanderError } from 'commander'
import { registerEmulate } from './commands/emulate.js'
import { registerICloud } from './commands/icloud.js'
import { registerKeygen } from './commands/keygen.js'
import { registerProtocolCommands } from './commands/protocols.js'
import { EXIT, InputError } from './output/errors.js'
import { type Io, processIo } from './output/io.js'

/** Builds the `sigwire` program writing to `io`; commands report their exit code through `setExit`. */
export function buildProgram(io: Io, setExit: (code: number) => void = () => {}): Command {
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
  registerProtocolCommands(program, io, setExit)
  registerKeygen(program, io)
  registerEmulate(program, io)
  registerICloud(program, io, setExit)
  return program
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 the check failed (bad signature, findings), 2 usage
 * or input error.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok
  const program = buildProgram(io, (code) => {
    exitCode = Math.max(exitCode, code)
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    if (error instanceof InputError) {
      io.err(`sigwire: ${error.message}`)
      return EXIT.usage
    }
    if (isSigwireError(error)) {
      io.err(`sigwire: ${error.code}: ${error.message}`)
      // A service answered with a failure (wrong password, rejected signature): the check failed.
      return error.status === undefined ? EXIT.usage : EXIT.failed
    }
    io.err(`sigwire: unexpected error: ${(error as Error).stack ?? error}`)
    return EXIT.usage
  }
}
