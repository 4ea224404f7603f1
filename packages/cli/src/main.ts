import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerAppleNews } from './commands/apple-news.js'
import { registerCloudKit } from './commands/cloudkit.js'
import { registerEmulate } from './commands/emulate.js'
import { registerICloud } from './commands/icloud.js'
import { registerKeygen } from './commands/keygen.js'
import { registerProtocolCommands } from './commands/protocols.js'
import { registerSafeCreative } from './commands/safe-creative.js'
import { EXIT } from './output/errors.js'
import { describeFailure, printFailure, wantsJson } from './output/failure.js'
import { type Io, processIo } from './output/io.js'

/** The CLI's version, from its package.json (one directory above `src/` and `dist/`). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** Where commander's own messages go: help on `writeOut`, usage-error help text on `writeErr`. */
export interface ProgramOutput {
  /** Receives what commander writes to stderr (help shown for a usage error); default `io.err`. */
  readonly writeErr?: (text: string) => void
}

/**
 * Builds the `sigwire` program writing to `io`; commands report their exit code through `setExit`.
 * Commander's error messages are not printed: `main` reports them in the CLI's error format.
 */
export function buildProgram(
  io: Io,
  setExit: (code: number) => void = () => {},
  output: ProgramOutput = {},
): Command {
  const program = new Command('sigwire')
    .description(
      'Sign, verify and diagnose requests to CloudKit, Apple News, Safe Creative and iCloud.com; run local emulators.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => (output.writeErr ?? io.err)(text.trimEnd()),
      outputError: () => {},
    })
  registerProtocolCommands(program, io, setExit)
  registerKeygen(program, io)
  registerEmulate(program, io)
  registerICloud(program, io, setExit)
  registerCloudKit(program, io, setExit)
  registerAppleNews(program, io, setExit)
  registerSafeCreative(program, io, setExit)
  return program
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code: 0 ok, 1 the check
 * failed (bad signature, findings, a refused sign-in), 2 usage or input error. Nothing is thrown and
 * nothing is written outside `io`: every error becomes one `sigwire: <CODE>: <message>` line on
 * stderr, or with `--json` one `{"error": {"code", "message"}}` object.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const json = wantsJson(argv)
  let exitCode: number = EXIT.ok
  // Help printed because a command is missing is shown with the error, unless the output is JSON.
  const help: string[] = []
  const program = buildProgram(
    io,
    (code) => {
      exitCode = Math.max(exitCode, code)
    },
    { writeErr: (text) => help.push(text) },
  )
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if ((error as { exitCode?: unknown }).exitCode === 0) return EXIT.ok
    if (!json) for (const text of help) io.err(text)
    const failure = describeFailure(error, helpCommand(program, argv))
    printFailure(io, failure, json)
    return failure.exit
  }
}

/** `sigwire sign cloudkit --help`: the help of the deepest command the words of `argv` name. */
function helpCommand(program: Command, argv: readonly string[]): string {
  const names = ['sigwire']
  let command = program
  for (const word of argv) {
    if (word.startsWith('-')) break
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word))
    if (sub === undefined) break
    names.push(sub.name())
    command = sub
  }
  return `${names.join(' ')} --help`
}
