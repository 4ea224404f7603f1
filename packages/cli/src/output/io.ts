import pc from 'picocolors'

/** Where a command writes, and whether that is a terminal (colour, prompts, progress bars). */
export interface Io {
  out(text: string): void
  err(text: string): void
  readonly isTTY: boolean
  readonly env: NodeJS.ProcessEnv
}

/** The process's own stdout/stderr. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  }
}

/** Colour helpers that turn themselves off when output is not a terminal or NO_COLOR is set. */
export function colors(io: Io): ReturnType<typeof pc.createColors> {
  return pc.createColors(io.isTTY && !io.env.NO_COLOR)
}

/** Writes one JSON document on one line (machines read `--json` output line by line). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value))
}
