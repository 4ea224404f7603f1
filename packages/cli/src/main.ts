import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { modulesNamed, type Register } from './command-modules.js'
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
 * The top-level words and the module that registers them, in the order `sigwire --help` lists them.
 * Modules load on demand: a run registers only the module its first word names, so `sigwire icloud ...`
 * does not import the CloudKit, Safe Creative or emulator code (the import was most of a short
 * command's start-up). `load` gets the words after the first, for a module that loads its own
 * sub-commands on demand in the same way (`icloud`); an empty list means every sub-command.
 */
const COMMAND_MODULES: ReadonlyArray<{
  readonly words: readonly string[]
  readonly load: (rest: readonly string[]) => Promise<Register>
}> = [
  {
    words: ['sign', 'verify', 'doctor'],
    load: async () => (await import('./commands/protocols.js')).registerProtocolCommands,
  },
  { words: ['keygen'], load: async () => (await import('./commands/keygen.js')).registerKeygen },
  { words: ['emulate'], load: async () => (await import('./commands/emulate.js')).registerEmulate },
  { words: ['icloud'], load: async (rest) => (await import('./commands/icloud.js')).loadICloud(rest) },
  { words: ['cloudkit'], load: async () => (await import('./commands/cloudkit.js')).registerCloudKit },
  { words: ['apple-news'], load: async () => (await import('./commands/apple-news.js')).registerAppleNews },
  {
    words: ['safe-creative'],
    load: async () => (await import('./commands/safe-creative.js')).registerSafeCreative,
  },
]

/**
 * Builds the `sigwire` program writing to `io`, with every command; commands report their exit code
 * through `setExit`. Commander's error messages are not printed: `main` reports them in the CLI's error
 * format.
 */
export async function buildProgram(
  io: Io,
  setExit: (code: number) => void = () => {},
  output: ProgramOutput = {},
): Promise<Command> {
  return programFor(COMMAND_MODULES, [], io, setExit, output)
}

/** The modules `argv` needs ({@link modulesNamed}), with the words after the one that named it. */
function modulesFor(argv: readonly string[]): { modules: typeof COMMAND_MODULES; rest: readonly string[] } {
  const { modules, named } = modulesNamed(COMMAND_MODULES, argv[0])
  return { modules, rest: named ? argv.slice(1) : [] }
}

async function programFor(
  modules: typeof COMMAND_MODULES,
  rest: readonly string[],
  io: Io,
  setExit: (code: number) => void,
  output: ProgramOutput,
): Promise<Command> {
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
  const registers = await Promise.all(modules.map((m) => m.load(rest)))
  for (const register of registers) register(program, io, setExit)
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
  let program: Command | undefined
  try {
    const { modules, rest } = modulesFor(argv)
    program = await programFor(
      modules,
      rest,
      io,
      (code) => {
        exitCode = Math.max(exitCode, code)
      },
      { writeErr: (text) => help.push(text) },
    )
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if ((error as { exitCode?: unknown }).exitCode === 0) return EXIT.ok
    if (!json) for (const text of help) io.err(text)
    const failure = describeFailure(
      error,
      program === undefined ? 'sigwire --help' : helpCommand(program, argv),
    )
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
