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
