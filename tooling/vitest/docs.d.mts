// Reads the repository's documentation for tests (troubleshooting pages, README examples).

/** The absolute path of a file given relative to the repository root. */
export function repoPath(...segments: string[]): string

/** One section of a troubleshooting page: the text after each bold label ('' when the label is missing). */
export interface TroubleshootingSection {
  readonly symptom: string
  readonly prints: string
  readonly fix: string
}

/** The sections of `docs/troubleshooting/<service>.md`, keyed by the finding code in their heading. */
export function troubleshootingSections(service: string): Map<string, TroubleshootingSection>

/** One fenced `ts` block of a README. */
export interface ReadmeExample {
  /** Position among the file's `ts` blocks, from 0. */
  readonly index: number
  /** Line of the opening fence, from 1. */
  readonly line: number
  /** The info string, e.g. `ts` or `ts no-run`. */
  readonly info: string
  /** False for blocks marked `no-run`. */
  readonly run: boolean
  readonly code: string
}

/** The fenced `ts`/`typescript` blocks of a Markdown file, in order. */
export function readmeExamples(file: string): ReadmeExample[]

/** How {@link runReadmeExample} runs an example. */
export interface RunExampleOptions {
  /** Values of the example's free variables. */
  readonly scope?: Record<string, unknown>
  /** Exact text replacements `[from, to]`; each `from` must be in the example. */
  readonly rewrite?: ReadonlyArray<readonly [string, string]>
  /** Code placed before the example (after the scope). */
  readonly before?: string
  /** Code placed after the example, e.g. `export { client }`. */
  readonly after?: string
  /** Where to write the module; default a temporary directory removed afterwards. */
  readonly dir?: string
}

/** Runs one README example as a module and returns its namespace. Throws for a `no-run` example. */
export function runReadmeExample(
  example: ReadmeExample,
  options?: RunExampleOptions,
): Promise<Record<string, unknown>>

/** A `console` stand-in that records each line. */
export interface RecordingConsole {
  readonly lines: string[]
  log(...args: unknown[]): void
  error(...args: unknown[]): void
  warn(...args: unknown[]): void
  info(...args: unknown[]): void
}

/** A `console` stand-in whose lines a test can read. */
export function recordingConsole(): RecordingConsole
