import type { Io } from '@sigwire/cli'

/** An {@link Io} that drops everything. */
const QUIET: Io = {
  out() {},
  err() {},
  isTTY: false,
  env: process.env,
  stdinIsTTY: false,
  readStdin: () => undefined,
}

/**
 * The CLI loads a command's module when the command first runs: this runs `<command> --help` with its
 * output dropped, so a timed `main` afterwards is timed without the imports.
 */
export async function preloadCommand(
  main: (argv: readonly string[], io: Io) => Promise<number>,
  argv: readonly string[],
): Promise<void> {
  await main([argv[0] ?? '--help', '--help'], QUIET)
}
