import { main } from '../src/main.js'
import type { Io } from '../src/output/io.js'

/** What one in-process run of the CLI produced. */
export interface MainRun {
  code: number
  stdout: string
  stderr: string
}

/** How the in-process run sees its surroundings. */
export interface MainRunOptions {
  /** The environment (default: empty, so the machine's SIGWIRE_* variables never leak in). */
  readonly env?: NodeJS.ProcessEnv
  /** Standard input's bytes (`--request -`). */
  readonly stdin?: string | Uint8Array
  /** Whether stdout is a terminal. */
  readonly isTTY?: boolean
  /** A terminal stream for progress bars. */
  readonly progressStream?: NodeJS.WritableStream
  /** Fails the run (instead of hanging the suite) past this many milliseconds. */
  readonly timeoutMs?: number
}

/** Runs `sigwire ...argv` in this process through `main`, with captured output. */
export async function runMain(argv: readonly string[], options: MainRunOptions = {}): Promise<MainRun> {
  let stdout = ''
  let stderr = ''
  const add = (text: string) => (text.endsWith('\n') ? text : `${text}\n`)
  const stdin = options.stdin === undefined ? new Uint8Array() : Buffer.from(options.stdin)
  const io: Io = {
    out: (text) => {
      stdout += add(text)
    },
    err: (text) => {
      stderr += add(text)
    },
    isTTY: options.isTTY ?? false,
    env: { NO_COLOR: '1', ...options.env },
    stdinIsTTY: false,
    readStdin: (maxBytes) => (stdin.byteLength > maxBytes ? undefined : new Uint8Array(stdin)),
    progressStream: options.progressStream,
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`sigwire ${argv.join(' ')} did not finish (a hang)`)),
      options.timeoutMs ?? 30_000,
    )
  })
  try {
    const code = await Promise.race([main(argv, io), timeout])
    return { code, stdout, stderr }
  } finally {
    clearTimeout(timer)
  }
}
