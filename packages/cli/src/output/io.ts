import { readSync } from 'node:fs'
import pc from 'picocolors'

/**
 * Where a command reads and writes. The binary uses the process's streams ({@link processIo}); tests
 * and programs pass their own, so a run never touches the process's stdin or environment.
 */
export interface Io {
  /** Writes one line (or block) to standard output. */
  out(text: string): void
  /** Writes one line (or block) to standard error. */
  err(text: string): void
  /** Whether standard output is a terminal (colour, prompts, progress). */
  readonly isTTY: boolean
  /** The environment secrets and settings are read from. */
  readonly env: NodeJS.ProcessEnv
  /** Whether standard input is a terminal (prompts; `--request -` would wait for typing). */
  readonly stdinIsTTY: boolean
  /**
   * Reads standard input to its end, stopping with undefined once it holds more than `maxBytes` (`--request -`).
   */
  readStdin(maxBytes: number): Uint8Array | undefined
  /** The terminal stream progress bars are drawn on; undefined when stdout or stderr is not a terminal. */
  readonly progressStream?: NodeJS.WritableStream | undefined
}

/** The process's own streams and environment. */
export function processIo(): Io {
  const terminal = Boolean(process.stdout.isTTY)
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTTY: terminal,
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    readStdin: (maxBytes) => readAll(0, maxBytes),
    progressStream: terminal && process.stderr.isTTY ? process.stderr : undefined,
  }
}

/**
 * Reads a file descriptor to its end in chunks, giving up past `maxBytes` (a device such as /dev/zero
 * never ends). Throws Node's system error (EISDIR, EAGAIN, ...) as it is.
 */
export function readAll(fd: number, maxBytes: number): Uint8Array | undefined {
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total))
    let read: number
    try {
      read = readSync(fd, chunk, 0, chunk.length, null)
    } catch (error) {
      // A non-blocking stdin with nothing written yet: wait for it like a blocking read would.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
        continue
      }
      if ((error as NodeJS.ErrnoException).code === 'EOF') break
      throw error
    }
    if (read === 0) break
    total += read
    if (total > maxBytes) return undefined
    chunks.push(chunk.subarray(0, read))
  }
  return new Uint8Array(Buffer.concat(chunks, total))
}

/** Colour helpers that turn themselves off when output is not a terminal or NO_COLOR is set. */
export function colors(io: Io): ReturnType<typeof pc.createColors> {
  return pc.createColors(io.isTTY && !io.env.NO_COLOR)
}

/** Writes one JSON document on one line (machines read `--json` output line by line). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value))
}
